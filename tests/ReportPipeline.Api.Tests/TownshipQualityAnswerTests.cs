using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Quality;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// A township's 数据质量 answer carries what its page shows — the flagged values, each naming its village, and the
/// counts — and not every village's zero counts: at a township of 12 villages (seeded with last month's values, so the
/// change and outlier checks flag cells) its size is the flags' plus a bounded rest.
/// </summary>
[Collection(DedicatedHostsRunAlone.Name)]
public sealed class TownshipQualityAnswerTests : IAsyncLifetime
{
    private static readonly Period Month = Period.Parse("2026-11");
    private SeededCityHost _host = null!;

    public async Task InitializeAsync() => _host = await SeededCityHost.StartAsync(1, 1, 12, Month);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_townships_answer_lists_its_flagged_villages_counts_only_and_stays_within_the_flags_plus_a_bounded_rest()
    {
        var township = _host.Orgs.ByLevel(OrgLevel.Township).Single();
        var villages = _host.Orgs.Villages(township.Code).ToList();
        Assert.True(villages.Count >= 11);
        var token = _host.Token(township.Code, "viewer");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orgs/{township.Code}/quality/{Month}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var answer = JsonDocument.Parse(text).RootElement;

        var live = await _host.Services.GetRequiredService<QualityService>().GetAsync(township, Month, CancellationToken.None);
        var flagged = live.GroupBy(f => f.OrgCode).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        Assert.NotEmpty(flagged);
        Assert.True(flagged.Count < villages.Count, $"every village has a flag ({flagged.Count}); the test needs some without");

        // Every flag listed (one page), and each flagged village's count; a village with nothing to check is not listed.
        Assert.Equal(live.Count, answer.GetProperty("count").GetInt32());
        Assert.Equal(live.Count, answer.GetProperty("flags").GetArrayLength());
        var children = answer.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(flagged.OrderBy(kv => kv.Key, StringComparer.Ordinal), children.Select(c => KeyValuePair.Create(c.GetProperty("org").GetString()!, c.GetProperty("count").GetInt32())));
        foreach (var child in children)
        {
            // Each child names the checks that flagged something in it; the office's byCheck names them all.
            Assert.All(child.GetProperty("byCheck").EnumerateArray(), c => Assert.True(c.GetProperty("count").GetInt32() > 0));
            Assert.Equal(child.GetProperty("count").GetInt32(), child.GetProperty("byCheck").EnumerateArray().Sum(c => c.GetProperty("count").GetInt32()));
        }

        // Bounded: the flags the page lists, and at most 1.5 KB besides plus 300 bytes per flagged village.
        var flagsBytes = Encoding.UTF8.GetByteCount(answer.GetProperty("flags").GetRawText());
        var bytes = Encoding.UTF8.GetByteCount(text);
        Assert.True(bytes - flagsBytes <= 1536 + (300 * flagged.Count),
            $"{bytes} bytes, {flagsBytes} of them flags, {villages.Count} villages, {flagged.Count} flagged, {live.Count} flags");
    }
}

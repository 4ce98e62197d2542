using System.Net;
using System.Text.Json;
using ReportPipeline.Domain.Orgs;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

[Collection(PipelineHostCollection.Name)]
public sealed class HistoryTests(PipelineHostFixture host)
{
    [Fact]
    public async Task A_values_history_is_newest_first_with_the_previous_value_and_who_sent_it()
    {
        var village = host.Villages()[^1];
        var township = village.ParentCode!;
        var period = UniqueMonth();
        var (field, first, second) = ChangingField(village, period);
        await SubmitAsync(village, period, host.Token(village.Code), seed: 1);
        await SubmitAsync(village, period, host.Token(township, "admin"), seed: 2); // the township corrects on the village's behalf

        var history = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/history/{period}?field={field}", host.Token(township, "viewer")));

        var versions = history.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(2, versions.Count);
        Assert.Equal(second, versions[0].GetProperty("value").GetString());
        Assert.Equal(first, versions[0].GetProperty("previous").GetString());
        Assert.Equal(township, versions[0].GetProperty("subjectOrg").GetString());
        Assert.Equal("http", versions[0].GetProperty("channel").GetString());
        Assert.Equal(first, versions[1].GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Null, versions[1].GetProperty("previous").ValueKind);
        Assert.Equal(village.Code, versions[1].GetProperty("subjectOrg").GetString());
        Assert.Equal("village", versions[1].GetProperty("origin").GetString());
        Assert.True(versions[0].GetProperty("at").GetDateTimeOffset() > versions[1].GetProperty("at").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, history.GetProperty("continuationToken").ValueKind);
    }

    [Fact]
    public async Task Pages_follow_one_another_without_overlap_until_the_token_runs_out()
    {
        var village = host.Villages()[^2];
        var period = UniqueMonth();
        await SubmitAsync(village, period, host.Token(village.Code), seed: 1);
        await SubmitAsync(village, period, host.Token(village.Code), seed: 2);
        var all = (await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/history/{period}?pageSize=500", host.Token(village.Code))))
            .GetProperty("versions").EnumerateArray().Select(Key).ToList();

        var paged = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var path = $"/api/orgs/{village.Code}/history/{period}?pageSize=7" + (token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}");
            var page = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, path, host.Token(village.Code)));
            var versions = page.GetProperty("versions").EnumerateArray().ToList();
            Assert.InRange(versions.Count, 1, 7);
            paged.AddRange(versions.Select(Key));
            token = page.GetProperty("continuationToken").GetString();
            pages++;
        }
        while (token is not null);

        Assert.True(all.Count > 7, $"expected more than one page, got {all.Count} versions");
        Assert.Equal(all, paged);
        Assert.Equal((all.Count + 6) / 7, pages);
    }

    [Fact]
    public async Task Only_the_village_itself_and_viewers_above_it_read_its_history()
    {
        var village = host.Villages()[^3];
        var period = UniqueMonth();
        var sibling = host.Orgs.Children(village.ParentCode!).First(v => v.Code != village.Code);
        var otherTownship = host.Townships().First(t => t.Code != village.ParentCode);
        var path = $"/api/orgs/{village.Code}/history/{period}";

        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync(HttpMethod.Get, path, host.Token(village.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync(HttpMethod.Get, path, host.Token(village.ParentCode!, "viewer"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync(HttpMethod.Get, path, host.Token(host.Orgs.Root.Code, "viewer"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.SendAsync(HttpMethod.Get, path, host.Token(sibling.Code))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.SendAsync(HttpMethod.Get, path, host.Token(otherTownship.Code, "viewer"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.SendAsync(HttpMethod.Get, path, null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.SendAsync(HttpMethod.Get, path + "?continuationToken=garbage!", host.Token(village.Code))).StatusCode);
    }

    private static string Key(JsonElement v) => $"{v.GetProperty("submissionId").GetString()}/{v.GetProperty("field").GetString()}";

    /// <summary>A field whose value differs between the seeds used by the submissions of the test.</summary>
    private (string Field, string First, string Second) ChangingField(Org village, string period)
    {
        var first = host.TypedValues(village, period, seed: 1);
        var second = host.TypedValues(village, period, seed: 2);
        var field = first.Keys.Order(StringComparer.Ordinal).First(k => second.TryGetValue(k, out var v) && v != first[k] && int.TryParse(v, out _) && int.TryParse(first[k], out _));
        return (field, first[field], second[field]);
    }

    private async Task SubmitAsync(Org village, string period, string token, int seed)
    {
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", token,
            Json(new { values = host.TypedValues(village, period, seed) }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}

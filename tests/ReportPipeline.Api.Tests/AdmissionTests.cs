using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OfficeOpenXml;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.LocalHost;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Testing;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// 报表准入 through the real local host on Azurite: a department proposes, the city admits from the next period, and
/// hosts pick the new catalog version up without a restart; races, hostile proposals and who may decide.
/// </summary>
[Collection(DedicatedHostsRunAlone.Name)]
public sealed class AdmissionTests : IAsyncLifetime
{
    private const string Department = "yjj";
    private const string DepartmentName = "应急局";
    private const string NewField = "internet_cafes";

    private readonly AzuriteFixture _azurite = new();
    private LocalHostRuntime _host = null!;
    private OrgRegistry _orgs = null!;
    private Period _current;
    private Period _next;

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        _host = await StartAsync(refreshSeconds: 60);
        _orgs = await _host.Services.GetRequiredService<ReferenceData>().GetOrgsAsync(CancellationToken.None);
        var today = _host.Services.GetRequiredService<ReportingCalendar>().Today(TimeProvider.System.GetUtcNow());
        _current = Period.Month(today.Year, today.Month);
        _next = _current.Next();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    [Fact]
    public async Task An_admitted_report_reaches_the_next_periods_form_list_and_catalog_on_another_host_within_the_refresh_bound_and_not_the_current_period()
    {
        // A second host on the same storage, as another instance of the app: it has already read the next period's version.
        await using var reader = await StartAsync(refreshSeconds: 2);
        var village = _orgs.All.First(o => o.Level == OrgLevel.Village);
        var readerToken = Token(reader, village.Code, ["submitter"], null);
        Assert.False(await CatalogHasFieldAsync(reader, readerToken, _next));

        using var proposed = await SendAsync(_host, HttpMethod.Post, "/api/templates/proposals", DeptAdmin(), Json(Proposal("yj_drill_monthly", _next)));
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        var proposal = await ReadJsonAsync(proposed);
        var id = proposal.GetProperty("id").GetString()!;
        Assert.Equal(["existing", "new"], proposal.GetProperty("check").GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("verdict").GetString()));
        var villages = _orgs.All.Count(o => o.Level == OrgLevel.Village);
        Assert.Equal(12, proposal.GetProperty("burden").GetProperty("entriesPerVillagePerYear").GetInt32());
        Assert.Equal(12L * villages, proposal.GetProperty("burden").GetProperty("cityEntriesPerYear").GetInt64());
        using (var pending = await SendAsync(_host, HttpMethod.Get, "/api/templates/proposals?status=pending", CityAdmin(), null))
        {
            Assert.Equal([id], (await ReadJsonAsync(pending)).GetProperty("proposals").EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        }

        using var admitted = await SendAsync(_host, HttpMethod.Post, $"/api/templates/proposals/{id}/decision", CityAdmin(),
            Json(new { action = "admit", reason = "演练次数一表中没有，按月报送。", effectiveFrom = _next.ToString() }));
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        var decision = (await ReadJsonAsync(admitted)).GetProperty("decision");
        Assert.Equal("v0002", decision.GetProperty("version").GetString());

        // The admitting host sees it at once; the other, which had read the version before, within its refresh bound
        // (2 s here), without a restart.
        Assert.True(await CatalogHasFieldAsync(_host, Token(_host, village.Code, ["submitter"], null), _next));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.True(await CatalogHasFieldAsync(reader, readerToken, _next));
        Assert.False(await CatalogHasFieldAsync(reader, readerToken, _current));

        Assert.Contains(NewField, await FormFieldIdsAsync(reader, readerToken, village.Code, _next));
        Assert.DoesNotContain(NewField, await FormFieldIdsAsync(reader, readerToken, village.Code, _current));

        var nextList = await TemplatesAsync(reader, readerToken, _next);
        var listed = nextList.GetProperty("templates").EnumerateArray().Single(t => t.GetProperty("id").GetString() == "yj_drill_monthly");
        Assert.Equal(DepartmentName, listed.GetProperty("department").GetString());
        Assert.Equal(Department, listed.GetProperty("departmentCode").GetString());
        // Both columns are typed by villages (常住人口 is asked by other reports too): 2 × 12 months.
        Assert.Equal(24, listed.GetProperty("entriesPerVillagePerYear").GetInt32());
        Assert.Equal(id, listed.GetProperty("admitted").GetProperty("proposal").GetString());
        var currentList = await TemplatesAsync(reader, readerToken, _current);
        Assert.DoesNotContain(currentList.GetProperty("templates").EnumerateArray(), t => t.GetProperty("id").GetString() == "yj_drill_monthly");
        Assert.Equal(currentList.GetProperty("entriesPerVillagePerYear").GetInt32() + 24, nextList.GetProperty("entriesPerVillagePerYear").GetInt32());

        // Its workbook is built for the next period; the current period does not know the report.
        var cityAdmin = Token(reader, _orgs.Root.Code, ["admin"], null);
        using (var built = await SendAsync(reader, HttpMethod.Post, $"/api/orgs/{_orgs.Root.Code}/reports/{_next}/yj_drill_monthly/build", cityAdmin, null))
        {
            Assert.True(built.IsSuccessStatusCode, await built.Content.ReadAsStringAsync());
        }

        using (var notYet = await SendAsync(reader, HttpMethod.Post, $"/api/orgs/{_orgs.Root.Code}/reports/{_current}/yj_drill_monthly/build", cityAdmin, null))
        {
            Assert.Equal(HttpStatusCode.NotFound, notYet.StatusCode);
        }

        // The 减负 figures count the admitted report from its period, not before.
        Assert.Contains("yj_drill_monthly", await BurdenTemplatesAsync(reader, _next));
        Assert.DoesNotContain("yj_drill_monthly", await BurdenTemplatesAsync(reader, _current));

        // A village's value of the new field is known from the next period; the current period refuses it as unknown.
        using var nextSubmit = await SendAsync(reader, HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{_next}", readerToken, Json(new { values = new Dictionary<string, object> { [NewField] = 3 } }));
        using var currentSubmit = await SendAsync(reader, HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{_current}", readerToken, Json(new { values = new Dictionary<string, object> { [NewField] = 3 } }));
        Assert.DoesNotContain("unknown_field", await nextSubmit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, currentSubmit.StatusCode);
        Assert.Contains("unknown_field", await currentSubmit.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var history = await SendAsync(reader, HttpMethod.Get, "/api/templates/yj_drill_monthly/history", readerToken, null);
        Assert.Equal("admitted", (await ReadJsonAsync(history)).GetProperty("proposals")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Two_admissions_racing_give_two_consecutive_versions_or_one_refusal_and_never_lose_a_report()
    {
        using var first = await SendAsync(_host, HttpMethod.Post, "/api/templates/proposals", DeptAdmin(), Json(Proposal("yj_a_monthly", _next)));
        using var second = await SendAsync(_host, HttpMethod.Post, "/api/templates/proposals", DeptAdmin(), Json(Proposal("yj_b_monthly", _next, field: "parcel_stations", header: "快递驿站数量")));
        var ids = new[] { (await ReadJsonAsync(first)).GetProperty("id").GetString()!, (await ReadJsonAsync(second)).GetProperty("id").GetString()! };

        var decisions = await Task.WhenAll(ids.Select(async id =>
        {
            using var response = await SendAsync(_host, HttpMethod.Post, $"/api/templates/proposals/{id}/decision", CityAdmin(),
                Json(new { action = "admit", reason = "准入", effectiveFrom = _next.ToString() }));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        var admitted = decisions.Where(d => d.StatusCode == HttpStatusCode.OK).Select(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("decision").GetProperty("version").GetString()).Order().ToList();
        Assert.All(decisions, d => Assert.Contains(d.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        Assert.NotEmpty(admitted);
        Assert.Equal(new[] { "v0002", "v0003" }.Take(admitted.Count), admitted);
        var newest = _host.Services.GetRequiredService<ReferenceData>();
        newest.InvalidateCatalog();
        var templates = (await newest.CatalogForAsync(_next, CancellationToken.None)).Templates.Select(t => t.Id).ToList();
        Assert.Equal(admitted.Count, new[] { "yj_a_monthly", "yj_b_monthly" }.Count(templates.Contains));
    }

    [Fact]
    public async Task An_admission_whose_publication_landed_but_whose_answer_was_lost_is_recorded_admitted_not_put_back_to_pending()
    {
        // The catalog version is written, then the answer is lost (a timeout after the commit): the admission must find
        // out from the catalog, record the proposal admitted and say so, not put it back to 待审核 beside a published report.
        await using var host = await StartAsync(refreshSeconds: 60, services => services.AddSingleton<ICatalogPublisher>(sp =>
            new AnswerLosingPublisher(sp.GetRequiredService<BlobCatalogSource>())));
        using var proposed = await SendAsync(host, HttpMethod.Post, "/api/templates/proposals", Token(host, _orgs.Root.Code, ["admin"], Department), Json(Proposal("yj_lost_monthly", _next)));
        var id = (await ReadJsonAsync(proposed)).GetProperty("id").GetString()!;

        using var decided = await SendAsync(host, HttpMethod.Post, $"/api/templates/proposals/{id}/decision", Token(host, _orgs.Root.Code, ["admin"], null),
            Json(new { action = "admit", reason = "准入", effectiveFrom = _next.ToString() }));
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal("v0002", (await ReadJsonAsync(decided)).GetProperty("decision").GetProperty("version").GetString());

        using var shown = await SendAsync(host, HttpMethod.Get, $"/api/templates/proposals/{id}", Token(host, _orgs.Root.Code, ["admin"], null), null);
        var proposal = await ReadJsonAsync(shown);
        Assert.Equal("admitted", proposal.GetProperty("status").GetString());
        Assert.Equal("v0002", proposal.GetProperty("decision").GetProperty("version").GetString());
        var catalog = host.Services.GetRequiredService<ReferenceData>();
        catalog.InvalidateCatalog();
        Assert.Contains("yj_lost_monthly", (await catalog.CatalogForAsync(_next, CancellationToken.None)).Templates.Select(t => t.Id));
    }

    [Fact]
    public async Task A_proposal_left_admitting_by_a_host_that_died_is_settled_and_can_be_decided_again()
    {
        using var proposed = await SendAsync(_host, HttpMethod.Post, "/api/templates/proposals", DeptAdmin(), Json(Proposal("yj_died_monthly", _next)));
        var id = (await ReadJsonAsync(proposed)).GetProperty("id").GetString()!;

        // The host claimed it (正在发布) six minutes ago and died before publishing anything.
        var store = _host.Services.GetRequiredService<IProposalStore>();
        var stored = (await store.GetAsync(id, CancellationToken.None))!;
        var claimed = System.Text.Json.Nodes.JsonNode.Parse(stored.Json.Span)!.AsObject();
        claimed["status"] = "admitting";
        claimed["decision"] = new System.Text.Json.Nodes.JsonObject
        {
            ["action"] = "admit", ["reason"] = "准入", ["by"] = "city-admin", ["byOrg"] = _orgs.Root.Code,
            ["at"] = DateTimeOffset.UtcNow.AddMinutes(-6), ["effectiveFrom"] = _next.ToString(),
        };
        Assert.True(await store.ReplaceAsync(id, Encoding.UTF8.GetBytes(claimed.ToJsonString()), stored.ETag, CancellationToken.None));

        using var shown = await SendAsync(_host, HttpMethod.Get, $"/api/templates/proposals/{id}", CityAdmin(), null);
        Assert.Equal("pending", (await ReadJsonAsync(shown)).GetProperty("status").GetString());

        using var decided = await SendAsync(_host, HttpMethod.Post, $"/api/templates/proposals/{id}/decision", CityAdmin(),
            Json(new { action = "admit", reason = "准入", effectiveFrom = _next.ToString() }));
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal("v0002", (await ReadJsonAsync(decided)).GetProperty("decision").GetProperty("version").GetString());
    }

    [Fact]
    public async Task Hostile_or_meaning_changing_proposals_get_a_chinese_4xx_and_nothing_is_stored()
    {
        var deep = new string('[', 5000) + new string(']', 5000);
        var loneSurrogate = """{"template": {"id": "yj_x_monthly", "title": "\ud800坏", "periodKind": "month", "audienceLevels": ["township"], "columns": [{"headers": ["x"]}]}, "effectiveFrom": "2099-01", "reason": "r"}""";
        var manyColumns = JsonSerializer.Serialize(new
        {
            template = new { id = "yj_wide_monthly", title = "宽表", periodKind = "month", audienceLevels = new[] { "township" }, columns = Enumerable.Range(0, 10_000).Select(i => new { headers = new[] { $"列{i}" } }) },
            effectiveFrom = _next.ToString(),
            reason = "r",
        });
        var huge = "{\"reason\": \"" + new string('x', 3 * 1024 * 1024) + "\"}";
        var retyped = Proposal("yj_retype_monthly", _next, field: "pop_resident", header: "常住人口（户）", type: "decimal", unit: "户");

        var answers = new List<(HttpStatusCode Status, string Body)>();
        foreach (var body in new[] { deep, loneSurrogate, manyColumns, huge, "not json", JsonSerializer.Serialize(retyped) })
        {
            using var response = await SendAsync(_host, HttpMethod.Post, "/api/templates/proposals", DeptAdmin(), new StringContent(body, Encoding.UTF8, "application/json"));
            answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.BadRequest, HttpStatusCode.UnprocessableEntity],
            answers.Select(a => a.Status));
        Assert.All(answers, a => Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", JsonDocument.Parse(a.Body).RootElement.GetProperty("detail").GetString()! + a.Body));
        Assert.Contains("不能改变其类型或单位", answers[^1].Body, StringComparison.Ordinal);
        using var list = await SendAsync(_host, HttpMethod.Get, "/api/templates/proposals", CityAdmin(), null);
        Assert.Equal(0, (await ReadJsonAsync(list)).GetProperty("proposals").GetArrayLength());
    }

    [Fact]
    public async Task Only_a_department_admin_proposes_and_only_the_city_admin_decides()
    {
        var township = _orgs.All.First(o => o.Level == OrgLevel.Township);
        using var noDept = await SendAsync(_host, HttpMethod.Post, "/api/templates/proposals", Token(_host, _orgs.Root.Code, ["admin"], null), Json(Proposal("yj_c_monthly", _next)));
        using var viewer = await SendAsync(_host, HttpMethod.Post, "/api/templates/proposals", Token(_host, _orgs.Root.Code, ["viewer"], Department), Json(Proposal("yj_c_monthly", _next)));
        using var proposed = await SendAsync(_host, HttpMethod.Post, "/api/templates/proposals", Token(_host, township.Code, ["admin"], Department), Json(Proposal("yj_c_monthly", _next)));
        var id = (await ReadJsonAsync(proposed)).GetProperty("id").GetString()!;
        var admit = new { action = "admit", reason = "准入", effectiveFrom = _next.ToString() };

        using var byTownship = await SendAsync(_host, HttpMethod.Post, $"/api/templates/proposals/{id}/decision", Token(_host, township.Code, ["admin"], Department), Json(admit));
        using var byCityViewer = await SendAsync(_host, HttpMethod.Post, $"/api/templates/proposals/{id}/decision", Token(_host, _orgs.Root.Code, ["viewer"], null), Json(admit));
        using var returned = await SendAsync(_host, HttpMethod.Post, $"/api/templates/proposals/{id}/decision", CityAdmin(), Json(new { action = "return", reason = "请说明为何不能从一表取得" }));
        using var again = await SendAsync(_host, HttpMethod.Post, $"/api/templates/proposals/{id}/decision", CityAdmin(), Json(admit));

        Assert.Equal(HttpStatusCode.Forbidden, noDept.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byTownship.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byCityViewer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, returned.StatusCode);
        Assert.Equal("请说明为何不能从一表取得", (await ReadJsonAsync(returned)).GetProperty("decision").GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    private static object Proposal(string id, Period from, string field = NewField, string header = "网吧数量", string type = "integer", string unit = "家") => new
    {
        template = new
        {
            id,
            department = Department,
            title = "村（社区）应急演练月报",
            periodKind = "month",
            audienceLevels = new[] { "township", "district", "city" },
            deadlineDays = 5,
            columns = new object[]
            {
                new { headers = new[] { "常住人口" }, field = "pop_resident" },
                new { headers = new[] { header }, field },
            },
        },
        fields = new object[]
        {
            new { id = field, name = header, unit, type, min = 0, max = 1000, required = false, frequency = "month", departments = new[] { Department } },
        },
        effectiveFrom = from.ToString(),
        reason = "防汛要求每月掌握各村演练次数，一表中没有此项。",
    };

    private async Task<IReadOnlyList<string>> BurdenTemplatesAsync(LocalHostRuntime runtime, Period period)
    {
        using var response = await SendAsync(runtime, HttpMethod.Get, $"/api/orgs/{_orgs.Root.Code}/burden/{period}", Token(runtime, _orgs.Root.Code, ["viewer"], null), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await ReadJsonAsync(response)).GetProperty("perTemplate").EnumerateArray().Select(t => t.GetProperty("templateId").GetString()!)];
    }

    private string DeptAdmin() => Token(_host, _orgs.Root.Code, ["admin"], Department);

    private string CityAdmin() => Token(_host, _orgs.Root.Code, ["admin"], null);

    private static string Token(LocalHostRuntime runtime, string org, string[] roles, string? dept) =>
        runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(org, roles, dept, TimeSpan.FromHours(1));

    private static async Task<bool> CatalogHasFieldAsync(LocalHostRuntime runtime, string token, Period period)
    {
        using var response = await SendAsync(runtime, HttpMethod.Get, $"/api/catalog?period={period}", token, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await ReadJsonAsync(response)).GetProperty("fields").EnumerateArray().Any(f => f.GetProperty("id").GetString() == NewField);
    }

    private static async Task<JsonElement> TemplatesAsync(LocalHostRuntime runtime, string token, Period period)
    {
        using var response = await SendAsync(runtime, HttpMethod.Get, $"/api/templates?period={period}", token, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadJsonAsync(response);
    }

    /// <summary>Every text in the form workbook (the 编号 column holds the field ids).</summary>
    private static async Task<HashSet<string>> FormFieldIdsAsync(LocalHostRuntime runtime, string token, string village, Period period)
    {
        using var response = await SendAsync(runtime, HttpMethod.Get, $"/api/orgs/{village}/form/{period}", token, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var package = new ExcelPackage(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        return [.. package.Workbook.Worksheets.SelectMany(ws => ws.Cells.Select(c => c.Text))];
    }

    private Task<LocalHostRuntime> StartAsync(int refreshSeconds, Action<IServiceCollection>? services = null) => DedicatedHost.StartAsync(new()
    {
        ["ReportStorage"] = _azurite.ConnectionString,
        ["Pipeline:CatalogRefreshSeconds"] = refreshSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Pipeline:RequestStorageBudgetSeconds"] = "60",
    }, configureServices: services);

    private static async Task<HttpResponseMessage> SendAsync(LocalHostRuntime runtime, HttpMethod method, string path, string? token, HttpContent? content)
    {
        using var http = new HttpClient { BaseAddress = new Uri(runtime.BaseAddress) };
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}

/// <summary>Publishes through the real publisher, then loses the answer, as a timeout after the commit would.</summary>
internal sealed class AnswerLosingPublisher(ICatalogPublisher inner) : ICatalogPublisher
{
    public Task<CatalogHead> GetHeadAsync(CancellationToken cancellationToken) => inner.GetHeadAsync(cancellationToken);

    public async Task<string?> PublishAsync(CatalogHead basedOn, IReadOnlyList<CatalogDocument> documents, Period inForceFrom, string origin, CancellationToken cancellationToken)
    {
        await inner.PublishAsync(basedOn, documents, inForceFrom, origin, cancellationToken);
        throw new TimeoutException("the answer of the publication was lost");
    }

    public Task<CatalogPublication?> FindPublicationAsync(string origin, CancellationToken cancellationToken) => inner.FindPublicationAsync(origin, cancellationToken);
}

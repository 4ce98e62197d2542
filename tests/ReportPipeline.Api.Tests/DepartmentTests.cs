using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Prefill;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Ports;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary>带数下发 through the real host: a department's file pushed to many villages, by HTTP and by a blob drop.</summary>
[Collection(PipelineHostCollection.Name)]
public sealed class PrefillTests(PipelineHostFixture host)
{
    private const string Gaj = "gaj";

    [Fact]
    public async Task A_department_pushes_one_file_to_many_villages_and_their_values_read_as_prefilled()
    {
        var (township, villages) = host.OneTownship(3);
        var period = UniqueMonth();
        var fields = OwnedFields(Gaj, 2);

        using var response = await PushAsync(Gaj, period, host.DeptToken(township.Code, Gaj, "admin"), Csv(fields, villages, offset: 0));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await ReadJsonAsync(response);
        Assert.Equal(3, receipt.GetProperty("orgs").GetInt32());
        Assert.Equal(6, receipt.GetProperty("written").GetInt32());
        Assert.Equal("公安局", receipt.GetProperty("departmentName").GetString());
        var values = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{villages[1].Code}/values/{period}", host.Token(township.Code, "viewer")));
        var stored = values.GetProperty("values").EnumerateArray().Single(v => v.GetProperty("field").GetString() == fields[0].Id);
        Assert.Equal("Prefilled", stored.GetProperty("origin").GetString());
        Assert.Equal(Value(fields[0], 1, 0), stored.GetProperty("value").GetString());
    }

    [Fact]
    public async Task An_identical_repush_writes_nothing_and_a_changed_one_writes_only_the_changes()
    {
        var (township, villages) = host.OneTownship(2);
        var period = UniqueMonth();
        var fields = OwnedFields(Gaj, 2);
        var token = host.DeptToken(township.Code, Gaj, "admin");
        (await PushAsync(Gaj, period, token, Csv(fields, villages, offset: 0))).Dispose();
        var before = await HistoryCountAsync(villages[0], period);

        var again = await ReadJsonAsync(await PushAsync(Gaj, period, token, Csv(fields, villages, offset: 0)));
        var changedCsv = Csv(fields, villages, offset: 0).Replace($"{villages[0].Code},{Value(fields[0], 0, 0)}", $"{villages[0].Code},{Value(fields[0], 0, 3)}", StringComparison.Ordinal);
        var changed = await ReadJsonAsync(await PushAsync(Gaj, period, token, changedCsv));

        Assert.Equal(0, again.GetProperty("written").GetInt32());
        Assert.Equal(4, again.GetProperty("unchanged").GetInt32());
        Assert.Equal(before, await HistoryCountAsync(villages[0], period) - 1);
        Assert.Equal(1, changed.GetProperty("written").GetInt32());
        Assert.Equal(1, changed.GetProperty("orgsChanged").GetInt32());
    }

    [Fact]
    public async Task A_value_the_village_typed_is_kept_and_the_difference_is_counted_as_a_conflict()
    {
        var (township, villages) = host.OneTownship(1);
        var village = villages[0];
        var period = UniqueMonth();
        var typed = host.TypedValues(village, period, seed: 4);
        var field = host.Bundle().Catalog.Fields.First(f => typed.ContainsKey(f.Id) && f.Type == FieldType.Integer && f.Departments.Count > 0
            && f.Max is { } max && decimal.Parse(typed[f.Id], CultureInfo.InvariantCulture) < max);
        using (var submitted = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code), Json(new { values = typed })))
        {
            Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        }

        var pushed = (decimal.Parse(typed[field.Id], CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        using var response = await PushAsync(field.Departments[0], period, host.DeptToken(township.Code, field.Departments[0], "admin"),
            $"行政区划代码,{field.Id}\n{village.Code},{pushed}\n");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var receipt = await ReadJsonAsync(response);

        Assert.Equal(1, receipt.GetProperty("conflicts").GetInt32());
        Assert.Equal(0, receipt.GetProperty("written").GetInt32());
        var conflict = Assert.Single(receipt.GetProperty("conflictList").EnumerateArray());
        Assert.Equal(typed[field.Id], conflict.GetProperty("typed").GetString());
        var values = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/values/{period}", host.Token(village.Code)));
        var stored = values.GetProperty("values").EnumerateArray().Single(v => v.GetProperty("field").GetString() == field.Id);
        Assert.Equal(typed[field.Id], stored.GetProperty("value").GetString());
        Assert.Equal(pushed, stored.GetProperty("prefillConflict").GetString());
    }

    [Fact]
    public async Task A_file_with_bad_rows_is_refused_whole_with_every_error_by_row_column_and_cell()
    {
        var (township, villages) = host.OneTownship(2);
        var elsewhere = host.Villages().First(v => !host.Orgs.IsInSubtree(township.Code, v.Code));
        var period = UniqueMonth();
        var fields = OwnedFields(Gaj, 1);
        var notOwned = host.Bundle().Catalog.Fields.First(f => f.Source != FieldSource.Derived && !f.Departments.Contains(Gaj));
        var csv = $"行政区划代码,{fields[0].Id},{notOwned.Name}\n"
            + $"{villages[0].Code},{Value(fields[0], 0, 0)},\n"
            + $"{villages[1].Code},很多,\n"
            + $"{elsewhere.Code},{Value(fields[0], 1, 0)},\n";

        using var response = await PushAsync(Gaj, period, host.DeptToken(township.Code, Gaj, "admin"), csv);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await ReadJsonAsync(response)).GetProperty("errors").EnumerateArray().ToList();
        Assert.Contains(errors, e => e.GetProperty("code").GetString() == "not_owned" && e.GetProperty("cell").GetString() == "第1行第3列");
        // The header is refused first; once it is fixed, every row is checked.
        using var rows = await PushAsync(Gaj, period, host.DeptToken(township.Code, Gaj, "admin"), csv.Replace($",{notOwned.Name}", "", StringComparison.Ordinal).Replace(",\n", "\n", StringComparison.Ordinal));
        var rowErrors = (await ReadJsonAsync(rows)).GetProperty("errors").EnumerateArray().ToList();
        Assert.Contains(rowErrors, e => e.GetProperty("cell").GetString() == "第3行第2列" && e.GetProperty("field").GetString() == fields[0].Id
            && e.GetProperty("message").GetString()!.Contains("第3行", StringComparison.Ordinal));
        Assert.Contains(rowErrors, e => e.GetProperty("code").GetString() == "outside_scope" && e.GetProperty("cell").GetString() == "第4行第1列");
        var values = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{villages[0].Code}/values/{period}", host.Token(township.Code, "viewer")));
        Assert.Empty(values.GetProperty("values").EnumerateArray());
    }

    [Fact]
    public async Task A_dry_run_previews_the_changes_and_writes_nothing()
    {
        var (township, villages) = host.OneTownship(2);
        var period = UniqueMonth();
        var fields = OwnedFields(Gaj, 2);

        using var response = await PushAsync(Gaj, period + "?dryRun=true", host.DeptToken(township.Code, Gaj, "admin"), Csv(fields, villages, offset: 0));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = await ReadJsonAsync(response);
        Assert.True(preview.GetProperty("dryRun").GetBoolean());
        Assert.Equal(4, preview.GetProperty("written").GetInt32());
        var values = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{villages[0].Code}/values/{period}", host.Token(township.Code, "viewer")));
        Assert.Empty(values.GetProperty("values").EnumerateArray());
    }

    [Theory]
    [InlineData("mz", "admin", HttpStatusCode.Forbidden)]
    [InlineData(null, "admin", HttpStatusCode.Forbidden)]
    [InlineData(Gaj, "viewer", HttpStatusCode.Forbidden)]
    [InlineData(Gaj, "admin", HttpStatusCode.Created)]
    public async Task Only_an_admin_of_the_department_itself_may_push_its_data(string? dept, string role, HttpStatusCode expected)
    {
        var (township, villages) = host.OneTownship(1);
        var token = host.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(township.Code, [role], dept, TimeSpan.FromHours(1));

        using var response = await PushAsync(Gaj, UniqueMonth(), token, Csv(OwnedFields(Gaj, 1), villages, offset: 0));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task A_file_dropped_into_prefill_is_merged_through_the_same_service()
    {
        var (township, villages) = host.OneTownship(2);
        var period = UniqueMonth();
        var fields = OwnedFields(Gaj, 1);
        var inbox = host.Services.GetRequiredService<IPrefillInbox>();
        var name = $"{period}/{Gaj}/户籍.csv";
        await inbox.PutAsync(name, Encoding.UTF8.GetBytes(Csv(fields, villages, offset: 0)), "text/csv");

        await host.Services.GetRequiredService<PrefillBlobHandler>().IngestAsync(name, CancellationToken.None);

        Assert.Null(await inbox.GetAsync(name));
        var values = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{villages[1].Code}/values/{period}", host.Token(township.Code, "viewer")));
        var stored = values.GetProperty("values").EnumerateArray().Single(v => v.GetProperty("field").GetString() == fields[0].Id);
        Assert.Equal(Value(fields[0], 1, 0), stored.GetProperty("value").GetString());
        Assert.Equal("Prefilled", stored.GetProperty("origin").GetString());
    }

    [Fact]
    public async Task A_prefill_file_that_does_not_fit_the_upload_memory_stays_in_the_inbox_until_it_does()
    {
        var (_, villages) = host.OneTownship(2);
        var period = UniqueMonth();
        var inbox = host.Services.GetRequiredService<IPrefillInbox>();
        var handler = host.Services.GetRequiredService<PrefillBlobHandler>();
        var budget = host.Services.GetRequiredService<Application.Http.UploadBudget>();
        var name = $"{period}/{Gaj}/户籍.csv";
        await inbox.PutAsync(name, Encoding.UTF8.GetBytes(Csv(OwnedFields(Gaj, 1), villages, offset: 0)), "text/csv");

        using (budget.TryReserve(budget.Capacity - budget.InFlight - 16))
        {
            await Assert.ThrowsAsync<Application.Http.UploadDeferredException>(() => handler.IngestAsync(name, CancellationToken.None));
        }

        Assert.NotNull(await inbox.GetAsync(name));
        await handler.IngestAsync(name, CancellationToken.None);
        Assert.Null(await inbox.GetAsync(name));
        Assert.Equal(0, budget.InFlight);
    }

    private async Task<int> HistoryCountAsync(Org village, string period) =>
        (await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/history/{period}?pageSize=500", host.Token(village.Code))))
            .GetProperty("versions").GetArrayLength();

    private Task<HttpResponseMessage> PushAsync(string dept, string periodAndQuery, string token, string csv) =>
        host.SendAsync(HttpMethod.Post, $"/api/departments/{dept}/prefill/{periodAndQuery}", token, new StringContent(csv, Encoding.UTF8, "text/csv"));

    private IReadOnlyList<FieldDefinition> OwnedFields(string dept, int count) =>
        [.. host.Bundle().Catalog.Fields
            .Where(f => f.Departments.Contains(dept) && f.Type == FieldType.Integer && f.Source != FieldSource.Derived && f.Frequency == Domain.Periods.PeriodKind.Month && f.Max >= 100)
            .Take(count)];

    /// <summary>A distinct valid value per village and field.</summary>
    private static string Value(FieldDefinition field, int village, int offset) =>
        ((field.Min ?? 0) + 10 + village + offset).ToString(CultureInfo.InvariantCulture);

    /// <summary>The code first, the fields, then the village's name (a column people read and the service ignores).</summary>
    private static string Csv(IReadOnlyList<FieldDefinition> fields, IReadOnlyList<Org> villages, int offset)
    {
        var text = new StringBuilder("行政区划代码," + string.Join(",", fields.Select(f => f.Name)) + ",单位名称\n");
        for (var i = 0; i < villages.Count; i++)
        {
            text.Append(villages[i].Code).Append(',').Append(string.Join(",", fields.Select(f => Value(f, i, offset)))).Append(',').Append(villages[i].Name).Append('\n');
        }

        return text.ToString();
    }
}

/// <summary>
/// 共享边界 through the real host: a caller whose token names a department against one without, for each read route,
/// a field or template inside or outside the department's set, in or out of the caller's org subtree.
/// </summary>
[Collection(PipelineHostCollection.Name)]
public sealed class SharingBoundaryTests(PipelineHostFixture host)
{
    private const string Mz = "mz";

    [Fact]
    public async Task A_department_lists_and_downloads_only_its_own_templates_workbooks()
    {
        var (township, _) = host.OneTownship(1);
        var period = UniqueMonth();
        var mine = host.Bundle().Templates.First(t => t.Department == Mz && t.PeriodKind == Domain.Periods.PeriodKind.Month);
        var theirs = host.Bundle().Templates.First(t => t.Department != Mz && t.PeriodKind == Domain.Periods.PeriodKind.Month && t.AudienceLevels.Contains(OrgLevel.Township));

        var listed = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/reports/{period}", host.DeptToken(township.Code, Mz, "viewer")));
        var unscoped = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/reports/{period}", host.Token(township.Code, "viewer")));
        using var other = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/reports/{period}/{theirs.Id}", host.DeptToken(township.Code, Mz, "viewer"));
        using var own = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/reports/{period}/{mine.Id}", host.DeptToken(township.Code, Mz, "viewer"));

        Assert.All(listed.GetProperty("workbooks").EnumerateArray(), w => Assert.Equal(Mz, w.GetProperty("departmentCode").GetString()));
        Assert.Contains(listed.GetProperty("workbooks").EnumerateArray(), w => w.GetProperty("template").GetString() == mine.Id);
        Assert.Contains(unscoped.GetProperty("workbooks").EnumerateArray(), w => w.GetProperty("template").GetString() == theirs.Id);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, own.StatusCode); // allowed; not built yet
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task A_departments_field_reads_are_narrowed_to_its_set_and_others_keep_every_field(bool withDept, bool fieldInSet)
    {
        var (township, villages) = host.OneTownship(1);
        var village = villages[0];
        var period = UniqueMonth();
        var typed = host.TypedValues(village, period, seed: 2);
        using (var submitted = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code), Json(new { values = typed })))
        {
            Assert.True(submitted.IsSuccessStatusCode);
        }

        var set = MzFields();
        var field = typed.Keys.First(id => set.Contains(id) == fieldInSet);
        var token = withDept ? host.DeptToken(township.Code, Mz, "viewer") : host.Token(township.Code, "viewer");

        var values = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/values/{period}", token));
        using var history = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/history/{period}?field={field}", token);
        var allHistory = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/history/{period}?pageSize=500", token));

        var listed = values.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("field").GetString()!).ToList();
        var inHistory = allHistory.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("field").GetString()!).ToList();
        var visible = !withDept || fieldInSet;
        Assert.Equal(visible, listed.Contains(field));
        Assert.Equal(visible, inHistory.Contains(field));
        Assert.Equal(visible ? HttpStatusCode.OK : HttpStatusCode.Forbidden, history.StatusCode);
        if (withDept)
        {
            Assert.All(listed, id => Assert.Contains(id, set));
        }
    }

    [Fact]
    public async Task A_department_cannot_download_a_villages_whole_form_nor_read_outside_its_org()
    {
        var (township, villages) = host.OneTownship(1);
        var otherTownship = host.Townships().First(t => t.Code != township.Code);
        var period = UniqueMonth();

        using var form = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{villages[0].Code}/form/{period}", host.DeptToken(township.Code, Mz, "viewer"));
        using var outside = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{villages[0].Code}/values/{period}", host.DeptToken(otherTownship.Code, Mz, "viewer"));
        using var quality = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/quality/{period}", host.DeptToken(township.Code, Mz, "viewer"));

        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        Assert.Equal(HttpStatusCode.OK, quality.StatusCode);
        Assert.All((await ReadJsonAsync(quality)).GetProperty("flags").EnumerateArray(), f => Assert.Contains(f.GetProperty("field").GetString()!, MzFields()));
    }

    /// <summary>Worked out here from the catalog, not through the policy: the fields 民政局's templates read, and the ones it owns.</summary>
    private HashSet<string> MzFields()
    {
        var bundle = host.Bundle();
        return [.. bundle.Templates.Where(t => t.Department == Mz).SelectMany(t => t.Columns).SelectMany(c => c.FieldId is { } id ? [id] : c.Expression!.FieldIds()),
            .. bundle.Catalog.Fields.Where(f => f.Departments.Contains(Mz)).Select(f => f.Id)];
    }
}

/// <summary>数据访问记录: every read of village data on record, listed to admins of the org or above.</summary>
[Collection(PipelineHostCollection.Name)]
public sealed class AccessLogTests(PipelineHostFixture host)
{
    [Fact]
    public async Task A_read_of_a_villages_values_appears_in_the_access_log_of_its_township_with_who_and_what()
    {
        var (township, villages) = host.OneTownship(1);
        var period = UniqueMonth();
        var subject = "reader-" + Guid.NewGuid().ToString("N")[..8];
        var token = host.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(township.Code, ["viewer"], "mz", TimeSpan.FromHours(1), subject);
        (await host.SendAsync(HttpMethod.Get, $"/api/orgs/{villages[0].Code}/values/{period}", token)).Dispose();

        JsonElement record = default;
        for (var attempt = 0; attempt < 50 && record.ValueKind == JsonValueKind.Undefined; attempt++)
        {
            // Written after the response: give it a moment.
            await Task.Delay(100);
            var log = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/access-log?org={township.Code}&pageSize=500", host.Token(township.Code, "admin")));
            record = log.GetProperty("records").EnumerateArray().FirstOrDefault(r => r.GetProperty("subject").GetString() == subject);
        }

        Assert.NotEqual(JsonValueKind.Undefined, record.ValueKind);
        Assert.Equal("orgs/{org}/values/{period}", record.GetProperty("route").GetString());
        Assert.Equal(villages[0].Code, record.GetProperty("org").GetString());
        Assert.Equal(period, record.GetProperty("period").GetString());
        Assert.Equal("mz", record.GetProperty("dept").GetString());
        Assert.Equal("民政局", record.GetProperty("deptName").GetString());
        Assert.Equal(township.Code, record.GetProperty("callerOrg").GetString());
    }

    [Fact]
    public async Task Only_admins_of_the_org_or_above_read_its_access_log()
    {
        var (township, villages) = host.OneTownship(1);
        var otherTownship = host.Townships().First(t => t.Code != township.Code);

        using var viewer = await host.SendAsync(HttpMethod.Get, $"/api/access-log?org={township.Code}", host.Token(township.Code, "viewer"));
        using var sibling = await host.SendAsync(HttpMethod.Get, $"/api/access-log?org={township.Code}", host.Token(otherTownship.Code, "admin"));
        using var below = await host.SendAsync(HttpMethod.Get, $"/api/access-log?org={township.Code}", host.Token(villages[0].Code, "admin"));
        using var own = await host.SendAsync(HttpMethod.Get, $"/api/access-log?org={township.Code}", host.Token(township.Code, "admin"));

        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, sibling.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, below.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }
}

internal static class DepartmentTestData
{
    public static string DeptToken(this PipelineHostFixture host, string org, string dept, params string[] roles) =>
        host.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(org, roles, dept, TimeSpan.FromHours(1));

    /// <summary>A township and its first villages; a different township each call, so that tests do not share villages.</summary>
    public static (Org Township, IReadOnlyList<Org> Villages) OneTownship(this PipelineHostFixture host, int villages)
    {
        var townships = host.Townships().Where(t => host.Orgs.Villages(t.Code).Count() >= 3).ToList();
        var township = townships[Interlocked.Increment(ref s_next) % townships.Count];
        return (township, [.. host.Orgs.Villages(township.Code).OrderBy(v => v.Code, StringComparer.Ordinal).Take(villages)]);
    }

    private static int s_next;
}

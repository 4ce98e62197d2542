using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Auth;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

[Collection(PipelineHostCollection.Name)]
public sealed class ApprovalTests(PipelineHostFixture host)
{
    [Fact]
    public async Task Approval_climbs_village_then_township_and_a_township_is_refused_while_a_village_is_not_approved()
    {
        var township = SmallestTownship();
        var district = township.ParentCode!;
        var villages = host.Orgs.Children(township.Code);
        var period = UniqueMonth();
        foreach (var village in villages)
        {
            await SubmitAsync(village, period, seed: 3);
        }

        using var early = await StepAsync(township.Code, period, Admin(district), "approve");
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("application/problem+json", early.Content.Headers.ContentType?.MediaType);
        Assert.Contains(villages[0].Name, Detail(await ReadJsonAsync(early)));

        using var byViewer = await StepAsync(villages[0].Code, period, host.Token(township.Code, "viewer"), "approve");
        Assert.Equal(HttpStatusCode.Forbidden, byViewer.StatusCode);

        foreach (var village in villages)
        {
            using var approved = await StepAsync(village.Code, period, Admin(township.Code), "approve");
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
            Assert.Equal("approved", (await ReadJsonAsync(approved)).GetProperty("state").GetString());
        }

        // Approving again (a double click, a retry) is the same approval: answered as done, no second step recorded.
        using var again = await StepAsync(villages[0].Code, period, Admin(township.Code), "approve");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        using var climbed = await StepAsync(township.Code, period, Admin(district), "approve");
        Assert.Equal(HttpStatusCode.OK, climbed.StatusCode);

        var state = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/approval/{period}", host.Token(district, "viewer")));
        Assert.Equal("approved", state.GetProperty("self").GetProperty("state").GetString());
        Assert.Equal(villages.Count + 1, state.GetProperty("approved").GetInt32());
        var steps = state.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(villages.Count + 1, steps.Count);
        Assert.Equal(township.Code, steps[0].GetProperty("org").GetString()); // newest first
        Assert.Equal(district, steps[0].GetProperty("byOrg").GetString());

        // A village under an approved township stays locked until the township is unlocked first.
        using var blocked = await StepAsync(villages[0].Code, period, Admin(township.Code), "unlock", "数据有误需要更正");
        Assert.Equal(HttpStatusCode.Conflict, blocked.StatusCode);
        using var townshipUnlocked = await StepAsync(township.Code, period, Admin(district), "unlock", "数据有误需要更正");
        Assert.Equal(HttpStatusCode.OK, townshipUnlocked.StatusCode);
        using var villageUnlocked = await StepAsync(villages[0].Code, period, Admin(township.Code), "unlock", "数据有误需要更正");
        Assert.Equal(HttpStatusCode.OK, villageUnlocked.StatusCode);
    }

    [Fact]
    public async Task A_village_that_has_not_reported_cannot_be_approved()
    {
        var village = host.Villages()[20];
        using var response = await StepAsync(village.Code, UniqueMonth(), Admin(village.ParentCode!), "approve");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("尚未提交", Detail(await ReadJsonAsync(response)));
    }

    [Fact]
    public async Task Approved_data_is_locked_for_http_and_blob_drop_until_an_upper_level_unlocks_it_with_a_reason()
    {
        var village = host.Villages()[21];
        var township = village.ParentCode!;
        var period = UniqueMonth();
        await SubmitAsync(village, period, seed: 4);
        var before = await ValuesAsync(village, period);
        using (var approved = await StepAsync(village.Code, period, Admin(township, "审核员甲"), "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }

        using var refused = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
            Json(new { values = host.TypedValues(village, period, seed: 5) }));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var detail = Detail(await ReadJsonAsync(refused));
        Assert.Contains("审核员甲", detail);
        Assert.Contains(township, detail);
        Assert.Contains("审核通过", detail);

        var inbox = host.Services.GetRequiredService<ISubmissionInbox>();
        var dropped = $"{period}/{village.Code}/locked.json";
        await inbox.PutAsync(dropped, JsonSerializer.SerializeToUtf8Bytes(new { values = host.TypedValues(village, period, seed: 6) }), "application/json");
        await host.Services.GetRequiredService<Application.Http.IBlobIngestionHandler>().IngestAsync(dropped, CancellationToken.None);
        Assert.Contains(host.Rejections, r => r.Name == dropped && r.Errors.Any(e => e.Code == "locked" && e.Message.Contains("审核员甲")));
        Assert.Null(await inbox.GetAsync(dropped));
        Assert.Equal(before, await ValuesAsync(village, period));

        using var noReason = await StepAsync(village.Code, period, Admin(township), "unlock");
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        using var byItself = await StepAsync(village.Code, period, Admin(village.Code), "unlock", "自己解锁");
        Assert.Equal(HttpStatusCode.Forbidden, byItself.StatusCode);
        using var unlocked = await StepAsync(village.Code, period, Admin(township), "unlock", "人口数填错，允许更正");
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);

        var state = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/approval/{period}", host.Token(village.Code)));
        var last = state.GetProperty("steps").EnumerateArray().First();
        Assert.Equal("unlock", last.GetProperty("action").GetString());
        Assert.Equal("人口数填错，允许更正", last.GetProperty("reason").GetString());
        Assert.Equal("reported", state.GetProperty("self").GetProperty("state").GetString());

        using var accepted = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
            Json(new { values = host.TypedValues(village, period, seed: 5) }));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Fact]
    public async Task A_return_carries_its_reason_to_the_clerk_in_the_approval_and_status_reads()
    {
        var village = host.Villages()[22];
        var period = UniqueMonth();
        await SubmitAsync(village, period, seed: 7);

        using var returned = await StepAsync(village.Code, period, Admin(village.ParentCode!), "return", "常住人口与上月相差过大，请核实");
        Assert.Equal(HttpStatusCode.OK, returned.StatusCode);

        var clerk = host.Token(village.Code);
        var approval = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/approval/{period}", clerk));
        Assert.Equal("returned", approval.GetProperty("self").GetProperty("state").GetString());
        Assert.Equal("退回", approval.GetProperty("self").GetProperty("stateName").GetString());
        Assert.Equal("常住人口与上月相差过大，请核实", approval.GetProperty("self").GetProperty("reason").GetString());

        var status = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/status/{period}", clerk));
        var unit = Assert.Single(status.GetProperty("units").EnumerateArray());
        Assert.Equal("returned", unit.GetProperty("approval").GetString());
        Assert.Equal("常住人口与上月相差过大，请核实", unit.GetProperty("approvalReason").GetString());

        // Sending corrected data puts it back in the reviewer's queue.
        await SubmitAsync(village, period, seed: 8);
        var resent = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/approval/{period}", clerk));
        Assert.Equal("reported", resent.GetProperty("self").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Two_admins_approving_the_same_village_at_once_make_one_approval()
    {
        var village = host.Villages()[23];
        var period = UniqueMonth();
        await SubmitAsync(village, period, seed: 9);

        var responses = await Task.WhenAll(
            StepAsync(village.Code, period, Admin(village.ParentCode!, "甲"), "approve"),
            StepAsync(village.Code, period, Admin(host.Orgs.Get(village.ParentCode!).ParentCode!, "乙"), "approve"));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var answers = await Task.WhenAll(responses.Select(ReadJsonAsync));
        Assert.Single(answers.Select(a => (a.GetProperty("by").GetString(), a.GetProperty("at").GetString())).Distinct());
        var state = await ReadJsonAsync(await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/approval/{period}", host.Token(village.Code)));
        Assert.Single(state.GetProperty("steps").EnumerateArray());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    /// <summary>
    /// The finding: while an upload to a village was in flight, two approvals of it raced; the loser's failure path cleared
    /// the lock the winner had set and the upload was committed after the approval had returned. Each round races two
    /// approvals (township and district admins) against uploads through JSON, CSV and the form workbook.
    /// </summary>
    [Fact]
    public async Task Racing_approvals_against_uploads_of_every_channel_never_let_data_land_after_the_approval()
    {
        var township = host.Townships().OrderByDescending(t => host.Orgs.Children(t.Code).Count).First();
        var district = host.Orgs.Get(township.ParentCode!);
        var villages = host.Orgs.Children(township.Code).Take(6).ToList();
        for (var round = 0; round < villages.Count; round++)
        {
            var village = villages[round];
            var period = UniqueMonth();
            await SubmitAsync(village, period, seed: 1);
            var form = await (await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/form/{period}", host.Token(village.Code))).Content.ReadAsByteArrayAsync();
            using var stop = new CancellationTokenSource();
            var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
            var senders = Enumerable.Range(0, 3).Select(channel => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var values = host.TypedValues(village, period, seed: 2 + ((channel + i) % 3));
                    // The form records the values' version it was downloaded with; "If-Match: *" sends it as filled,
                    // whatever was stored since (the race is with the approval, not with the other senders).
                    using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code), channel switch
                    {
                        0 => Json(new { values }),
                        1 => Csv(values),
                        _ => Xlsx(LocalHost.Commands.DemoCommand.FillForm(form, values)),
                    }, request => request.Headers.TryAddWithoutValidation("If-Match", "*"));
                    statuses.Add(response.StatusCode);
                }
            })).ToList();
            await Task.Delay(300);

            var approvals = await Task.WhenAll(
                StepAsync(village.Code, period, Admin(township.Code, "甲"), "approve"),
                StepAsync(village.Code, period, Admin(district.Code, "乙"), "approve"));
            Assert.All(approvals, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            var approvedAt = (await ReadJsonAsync(approvals[0])).GetProperty("at").GetDateTimeOffset();
            var atApproval = await ValuesAsync(village, period);
            await Task.Delay(400);
            await stop.CancelAsync();
            await Task.WhenAll(senders);

            Assert.Equal(atApproval, await ValuesAsync(village, period));
            var audit = await host.Services.GetRequiredService<IFieldValueStore>().ReadAuditAsync(village.Code, Period.Parse(period)).ToListAsync();
            Assert.All(audit, entry => Assert.True(entry.CommittedAt < approvedAt, $"round {round}: {entry.SubmissionId} committed {entry.CommittedAt:O}, approved {approvedAt:O}"));
            Assert.Contains(HttpStatusCode.Conflict, statuses);
            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Conflict, s.ToString()));
            foreach (var approval in approvals)
            {
                approval.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_township_approving_all_its_villages_at_once_meets_no_conflict()
    {
        var township = host.Townships().OrderByDescending(t => host.Orgs.Children(t.Code).Count).First();
        var villages = host.Orgs.Children(township.Code);
        var period = UniqueMonth();
        foreach (var village in villages)
        {
            await SubmitAsync(village, period, seed: 3);
        }

        var responses = await Task.WhenAll(villages.Select(v => StepAsync(v.Code, period, Admin(township.Code), "approve")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        using var self = await StepAsync(township.Code, period, Admin(township.Code), "approve");
        Assert.Equal(HttpStatusCode.OK, self.StatusCode);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task The_approval_state_of_a_subtree_is_not_readable_from_a_sibling()
    {
        var village = host.Villages()[24];
        var sibling = host.Townships().First(t => t.Code != village.ParentCode);

        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/approval/{UniqueMonth()}", host.Token(sibling.Code, "viewer"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task An_approval_alone_makes_the_townships_workbook_stale_and_the_rebuilt_one_shows_it_as_审核状态()
    {
        var township = SmallestTownship();
        var village = host.Orgs.Children(township.Code)[0];
        var period = UniqueMonth();
        await SubmitAsync(village, period, seed: 4);
        var template = host.Bundle().Templates.First(t => t.PeriodKind == PeriodKind.Month && t.AudienceLevels.Contains(OrgLevel.Township));
        var admin = host.Token(host.Orgs.Root.Code, "admin");
        using (var first = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{township.Code}/reports/{period}/{template.Id}/build", admin))
        {
            Assert.True(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());
        }

        var consolidation = host.Services.GetRequiredService<ReportPipeline.Application.Consolidation.ConsolidationService>();
        var stored = await host.Services.GetRequiredService<IReportStore>().GetPropertiesAsync(Period.Parse(period), template.Id, township.Code);
        Assert.Equal(stored!.InputWatermark, await consolidation.CurrentWatermarkAsync(template, township.Code, Period.Parse(period), CancellationToken.None));
        Assert.Equal(ApprovalNames.Reported, await ApprovalCellAsync());

        using (var approved = await StepAsync(village.Code, period, Admin(township.Code), "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }

        Assert.NotEqual(stored.InputWatermark, await consolidation.CurrentWatermarkAsync(template, township.Code, Period.Parse(period), CancellationToken.None));
        var rebuilt = await consolidation.BuildAsync(template, township.Code, Period.Parse(period), force: false, CancellationToken.None);
        Assert.Equal(ReportPipeline.Application.Consolidation.BuildOutcome.Built, rebuilt.Outcome);
        Assert.Equal(ApprovalNames.Approved, await ApprovalCellAsync());

        async Task<string?> ApprovalCellAsync()
        {
            using var download = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/reports/{period}/{template.Id}", host.Token(township.Code, "viewer"));
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            using var package = new OfficeOpenXml.ExcelPackage(new MemoryStream(await download.Content.ReadAsByteArrayAsync()));
            var sheet = package.Workbook.Worksheets.First();
            var cells = sheet.Cells[sheet.Dimension.Address];
            var header = cells.First(c => c.Text == "审核状态");
            var row = cells.First(c => c.Text == village.Code).Start.Row;
            return sheet.Cells[row, header.Start.Column].Text;
        }
    }

    [Fact]
    public async Task No_submission_lands_after_an_approval_even_one_already_being_checked_when_it_came()
    {
        var township = SmallestTownship();
        var village = host.Orgs.Children(township.Code)[0];
        var period = UniqueMonth();
        await SubmitAsync(village, period, seed: 1);
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        using var stop = new CancellationTokenSource();

        // Four clerks' devices resending alternately different values as fast as they can while the township approves.
        var senders = Enumerable.Range(0, 4).Select(lane => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
                    Json(new { values = host.TypedValues(village, period, seed: 2 + ((lane + i) % 2)) }));
                statuses.Add(response.StatusCode);
            }
        })).ToList();
        await Task.Delay(500);
        using (var approved = await StepAsync(village.Code, period, Admin(township.Code), "approve"))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }

        var atApproval = await ValuesAsync(village, period);
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        Assert.Equal(atApproval, await ValuesAsync(village, period));
        Assert.Contains(HttpStatusCode.Created, statuses);
        Assert.Contains(HttpStatusCode.Conflict, statuses);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Conflict, s.ToString()));
    }

    public static TheoryData<string, string, string> HostileBodies() => new()
    {
        // name, content type, body ("\\u" stays a JSON escape; "bytes:" gives raw bytes in hex after the prefix)
        { "lone high surrogate in reason", "application/json", "{\"action\":\"return\",\"reason\":\"\\ud800请核实\"}" },
        { "lone low surrogate as action", "application/json", "{\"action\":\"\\udfff\"}" },
        { "lone surrogate as a key", "application/json", "{\"action\":\"return\",\"reason\":\"请核实\",\"\\ud800\":1}" },
        { "invalid UTF-8 in reason", "application/json", "bytes:7B22616374696F6E223A2272657475726E222C22726561736F6E223A22FFFE8D22 7D" },
        { "GB18030 declared", "application/json; charset=gb18030", "gb18030:{\"action\":\"return\",\"reason\":\"常住人口有误，请核实\"}" },
        { "GB18030 undeclared", "application/json", "gb18030:{\"action\":\"return\",\"reason\":\"常住人口有误，请核实\"}" },
        { "text/plain", "text/plain", "{\"action\":\"return\",\"reason\":\"常住人口有误，请核实\"}" },
        { "no content type", "", "{\"action\":\"return\",\"reason\":\"常住人口有误，请核实\"}" },
        { "not JSON", "application/json", "{\"action\":\"return\",\"reason\":" },
        { "empty", "application/json", "" },
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task A_hostile_approval_body_is_a_Chinese_4xx_and_changes_no_state(string name, string contentType, string body)
    {
        var village = host.Villages()[25];
        var period = UniqueMonth();
        await SubmitAsync(village, period, seed: 2);
        var before = (await ApprovalStateAsync(village, period)).GetRawText();

        using var content = new ByteArrayContent(BodyBytes(body));
        if (contentType.Length > 0)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/approval/{period}", Admin(village.ParentCode!), content);

        var problem = await UploadLimitsTests.AssertProblemAsync(response, 400, 415, 422);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()), name);
        Assert.Equal(before, (await ApprovalStateAsync(village, period)).GetRawText());
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains(village.Code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reason_sent_as_text_plain_is_refused_with_415()
    {
        var village = host.Villages()[26];
        var period = UniqueMonth();
        await SubmitAsync(village, period, seed: 2);

        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/approval/{period}", Admin(village.ParentCode!),
            new StringContent("{\"action\":\"return\",\"reason\":\"常住人口有误\"}", Encoding.UTF8, "text/plain"));

        var problem = await UploadLimitsTests.AssertProblemAsync(response, 415);
        Assert.Contains("application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("reported", (await ApprovalStateAsync(village, period)).GetProperty("self").GetProperty("state").GetString());
    }

    private static byte[] BodyBytes(string body)
    {
        if (body.StartsWith("bytes:", StringComparison.Ordinal))
        {
            return Convert.FromHexString(body[6..].Replace(" ", "", StringComparison.Ordinal));
        }

        if (body.StartsWith("gb18030:", StringComparison.Ordinal))
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            return Encoding.GetEncoding("GB18030").GetBytes(body[8..]);
        }

        return Encoding.UTF8.GetBytes(body);
    }

    private async Task<JsonElement> ApprovalStateAsync(Org village, string period)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/approval/{period}", host.Token(village.Code));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadJsonAsync(response);
    }

    private Org SmallestTownship() => host.Townships()
        .Where(t => host.Orgs.Children(t.Code).Count > 1)
        .OrderBy(t => host.Orgs.Children(t.Code).Count)
        .ThenBy(t => t.Code, StringComparer.Ordinal)
        .First();

    private string Admin(string org, string? subject = null) =>
        host.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(org, ["admin"], null, TimeSpan.FromHours(1), subject);

    private async Task SubmitAsync(Org village, string period, int seed)
    {
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
            Json(new { values = host.TypedValues(village, period, seed) }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> StepAsync(string org, string period, string token, string action, string? reason = null) =>
        host.SendAsync(HttpMethod.Post, $"/api/orgs/{org}/approval/{period}", token,
            new StringContent(JsonSerializer.Serialize(new { action, reason }), Encoding.UTF8, "application/json"));

    private async Task<string> ValuesAsync(Org village, string period)
    {
        var stored = await host.Services.GetRequiredService<IFieldValueStore>().GetAsync(village.Code, Period.Parse(period));
        return string.Join(";", stored.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value.Value.Canonical}@{v.Value.SourceId}"));
    }

    private static ByteArrayContent Csv(IReadOnlyDictionary<string, string> values)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("编号,本期数值\r\n" + string.Concat(values.Select(v => $"{v.Key},{v.Value}\r\n"))));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        return content;
    }

    private static string Detail(JsonElement problem) => problem.GetProperty("detail").GetString() ?? "";
}

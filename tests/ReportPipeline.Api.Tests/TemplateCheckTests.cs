using System.Net;
using System.Net.Http.Headers;
using System.Text;
using OfficeOpenXml;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

[Collection(PipelineHostCollection.Name)]
public sealed class TemplateCheckTests(PipelineHostFixture host)
{
    private const string Route = "/api/templates/check";

    private static readonly object s_proposal = new
    {
        title = "村级人口与网吧情况月报",
        periodKind = "month",
        columns = new object[]
        {
            new { headers = new[] { "户籍人口（人）" } },
            new { headers = new[] { "户籍人口", "男" } },
            new { headers = new[] { "党员比例" }, expression = "percent(party_members, pop_registered)" },
            new { headers = new[] { "常住人口" }, field = "pop_resident" },
            new { headers = new[] { "网吧数量" } },
        },
    };

    private string Admin => host.Token(host.Orgs.Root.Code, "admin");

    [Fact]
    public async Task An_admin_gets_a_verdict_per_column_and_the_extra_entries_per_village()
    {
        using var response = await host.SendAsync(HttpMethod.Post, Route, Admin, Json(s_proposal));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJsonAsync(response);
        var columns = body.GetProperty("columns").EnumerateArray().ToList();
        Assert.Equal(["existing", "existing", "derivable", "existing", "new"], columns.Select(c => c.GetProperty("verdict").GetString()));
        Assert.Equal("pop_registered", columns[0].GetProperty("field").GetString());
        Assert.Equal("name", columns[0].GetProperty("matchedBy").GetString());
        Assert.Equal("pop_registered_male", columns[1].GetProperty("field").GetString());
        Assert.Equal("id", columns[3].GetProperty("matchedBy").GetString());
        Assert.Equal(12, body.GetProperty("summary").GetProperty("extraEntriesPerVillagePerYear").GetInt32());
        Assert.Equal(1, body.GetProperty("summary").GetProperty("new").GetInt32());
    }

    [Fact]
    public async Task A_department_workbook_is_checked_by_its_header_rows()
    {
        using var content = new ByteArrayContent(Workbook());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");

        using var response = await host.SendAsync(HttpMethod.Post, Route + "?periodKind=quarter", Admin, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJsonAsync(response);
        var verdicts = body.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("verdict").GetString()).ToList();
        Assert.Equal(["existing", "existing", "derivable", "new"], verdicts);
        Assert.Equal(4, body.GetProperty("summary").GetProperty("extraEntriesPerVillagePerYear").GetInt32());
    }

    [Theory]
    [InlineData("viewer")]
    [InlineData("submitter")]
    public async Task Viewers_and_submitters_are_forbidden(string role)
    {
        using var response = await host.SendAsync(HttpMethod.Post, Route, host.Token(host.Orgs.Root.Code, role), Json(s_proposal));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("管理员", (await ReadJsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_admin_token_of_an_org_not_in_the_registry_is_forbidden_as_on_every_other_route()
    {
        const string Unknown = "500199999999";
        Assert.False(host.Orgs.TryGet(Unknown, out _));

        using var response = await host.SendAsync(HttpMethod.Post, Route, host.Token(Unknown, "admin"), Json(s_proposal));

        var problem = await UploadLimitsTests.AssertProblemAsync(response, 403);
        Assert.Contains("不在单位名录中", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json", "{\"title\": \"\\ud800\", \"columns\": [{\"headers\": [\"户籍人口\"]}]}", 400)]
    [InlineData("application/json", "{\"columns\": [{\"headers\": [\"\\udfff\"]}]}", 400)]
    [InlineData("application/json; charset=gb18030", "{\"columns\": [{\"headers\": [\"户籍人口\"]}]}", 415)]
    [InlineData("text/plain", "{\"columns\": [{\"headers\": [\"户籍人口\"]}]}", 415)]
    public async Task A_proposal_that_is_not_UTF_8_JSON_text_is_a_Chinese_4xx_never_500(string contentType, string body, int status)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await host.SendAsync(HttpMethod.Post, Route, Admin, content);

        await UploadLimitsTests.AssertProblemAsync(response, status);
    }

    [Fact]
    public async Task No_token_is_401()
    {
        using var response = await host.SendAsync(HttpMethod.Post, Route, null, Json(s_proposal));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task New_columns_that_are_existing_fields_under_other_names_are_422_each_listed()
    {
        var proposal = new
        {
            periodKind = "month",
            columns = new object[]
            {
                new { headers = new[] { "60岁以上老人" } },
                new { headers = new[] { "网吧数量" } },
                new { headers = new[] { "救助热线受理（件）" } },
            },
        };

        using var response = await host.SendAsync(HttpMethod.Post, Route, Admin, Json(proposal));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await ReadJsonAsync(response);
        var errors = body.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([1, 3], errors.Select(e => e.GetProperty("column").GetInt32()));
        Assert.Equal("pop_age_60_plus", errors[0].GetProperty("candidates")[0].GetProperty("field").GetString());
        Assert.Equal("relief_hotline_calls", errors[1].GetProperty("candidates")[0].GetProperty("field").GetString());
        Assert.Contains("近似", errors[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_oversized_body_is_413()
    {
        var huge = "{\"columns\": [{\"headers\": [\"" + new string('村', 600_000) + "\"]}]}";

        using var response = await host.SendAsync(HttpMethod.Post, Route, Admin, new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Malformed_json_is_400_in_chinese_without_echoing_the_body()
    {
        var secret = new string('密', 500);
        using var response = await host.SendAsync(HttpMethod.Post, Route, Admin, new StringContent("{\"columns\": [" + secret, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("JSON", text);
        Assert.DoesNotContain(secret[..50], text);
    }

    private static byte[] Workbook()
    {
        using var package = new ExcelPackage();
        var ws = package.Workbook.Worksheets.Add("报表");
        ws.Cells["A1"].Value = "户籍人口";
        ws.Cells["A1:C1"].Merge = true;
        ws.Cells["A2"].Value = "男";
        ws.Cells["B2"].Value = "女";
        ws.Cells["C2"].Value = "合计";
        ws.Cells["D1"].Value = "网吧数量";
        ws.Cells["D1:D2"].Merge = true;
        return package.GetAsByteArray();
    }
}

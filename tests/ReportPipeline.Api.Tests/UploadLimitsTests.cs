using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Ports;
using Xunit.Abstractions;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// Inputs that used to answer 500, echo themselves back unbounded or cost memory out of proportion, through the real
/// local host. Each refusal is a 4xx (or a 503 with Retry-After) problem+json, and the upload is kept in
/// <c>submissions-rejected</c> when it reached the parser.
/// </summary>
[Collection(PipelineHostCollection.Name)]
public sealed class UploadLimitsTests(PipelineHostFixture host, ITestOutputHelper output)
{
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    // ---------------------------------------------------------------- item 7: 500s that are 4xx

    [Theory]
    [InlineData("""{"values": {"pop_resident": "\ud800"}}""", 422)]
    [InlineData("""{"values": {"\udc00abc": 1}}""", 400)]
    public async Task A_lone_surrogate_in_json_is_refused_and_kept(string body, int status)
    {
        await RefusedAndKeptAsync(Bytes(Encoding.UTF8.GetBytes(body), "application/json"), status);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_json_string_is_refused_and_kept()
    {
        var body = Encoding.UTF8.GetBytes("""{"values": {"pop_resident": "12X"}}""");
        body[Array.IndexOf(body, (byte)'X')] = 0xC3; // a lead byte with no continuation

        await RefusedAndKeptAsync(Bytes(body, "application/json"), 400, 422);
    }

    [Fact]
    public async Task A_cell_beyond_XFD1048576_is_refused_and_kept()
    {
        var workbook = Workbook(new()
        {
            ["xl/worksheets/sheet1.xml"] = Sheet(
                """<row r="1"><c r="A1" t="inlineStr"><is><t>编号</t></is></c><c r="B1" t="inlineStr"><is><t>本期数值</t></is></c></row>"""
                + """<row r="2"><c r="A2" t="inlineStr"><is><t>pop_resident</t></is></c><c r="B2"><v>100</v></c></row>"""
                + """<row r="1048577"><c r="XFE1048577"><v>1</v></c></row>"""),
        });

        await RefusedAndKeptAsync(Bytes(workbook, Xlsx), 400);
    }

    [Fact]
    public async Task A_doctype_in_the_custom_properties_is_refused_and_kept()
    {
        var workbook = Workbook(new()
        {
            ["xl/worksheets/sheet1.xml"] = Sheet(
                """<row r="1"><c r="A1" t="inlineStr"><is><t>编号</t></is></c><c r="B1" t="inlineStr"><is><t>本期数值</t></is></c></row>"""
                + """<row r="2"><c r="A2" t="inlineStr"><is><t>pop_resident</t></is></c><c r="B2"><v>100</v></c></row>"""),
            ["docProps/custom.xml"] = """<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE x [<!ENTITY e "boom">]><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="OrgCode"><vt:lpwstr>&e;</vt:lpwstr></property></Properties>""",
        });

        await RefusedAndKeptAsync(Bytes(workbook, Xlsx), 400);
    }

    [Fact]
    public async Task A_dropped_file_that_cannot_be_read_is_set_aside_once_with_its_reason()
    {
        var village = host.Villages()[20];
        var period = UniqueMonth();
        var name = $"{period}/{village.Code}/surrogate.json";

        await DropAndExpectSetAsideAsync(name, Encoding.UTF8.GetBytes("""{"values": {"\ud800": 1}}"""));
    }

    [Fact]
    public async Task An_oversized_dropped_file_is_set_aside_once_with_its_reason()
    {
        var village = host.Villages()[21];
        var period = UniqueMonth();
        var limit = host.Services.GetRequiredService<IOptions<PipelineOptions>>().Value.MaxUploadBytes;
        var name = $"{period}/{village.Code}/big.csv";

        var rejection = await DropAndExpectSetAsideAsync(name, new byte[limit + 1]);

        Assert.Equal("too_large", Assert.Single(rejection.Errors).Code);
    }

    // ---------------------------------------------------------------- item 8: no unbounded echo

    [Fact]
    public async Task A_1_MB_unknown_field_name_comes_back_as_a_short_excerpt()
    {
        var name = new string('n', 1024 * 1024);

        var (response, errorsJson) = await RefusedSizesAsync(Bytes(Encoding.UTF8.GetBytes("{\"values\": {\"" + name + "\": 1}}"), "application/json"));

        Assert.True(response < 8 * 1024, $"problem body of {response} bytes");
        Assert.True(errorsJson < 8 * 1024, $"errors.json of {errorsJson} bytes");
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/csv")]
    public async Task Two_hundred_names_of_40_KB_give_a_bounded_answer_and_errors_file(string contentType)
    {
        var names = Enumerable.Range(0, 200).Select(i => i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture) + new string('x', 40 * 1024)).ToList();
        var body = contentType == "text/csv"
            ? string.Join(',', names) + "\n" + string.Join(',', names.Select(_ => "1")) + "\n"
            : "{\"values\": {" + string.Join(", ", names.Select(n => $"\"{n}\": 1")) + "}}";

        var (response, errorsJson) = await RefusedSizesAsync(Bytes(Encoding.UTF8.GetBytes(body), contentType));

        // 200 listed errors of bounded parts: well under 200 × 1 KB, against 8 MB sent (and 32 MB answered before).
        Assert.True(response < 200 * 1024, $"problem body of {response} bytes");
        Assert.True(errorsJson < 200 * 1024, $"errors.json of {errorsJson} bytes");
    }

    // ---------------------------------------------------------------- item 9: memory

    [Fact]
    public async Task A_workbook_whose_shared_strings_inflate_to_49_MB_is_refused_before_it_is_loaded()
    {
        var bomb = SharedStringsBomb(49L * 1024 * 1024);
        output.WriteLine($"bomb: {bomb.Length} bytes");

        var problem = await RefusedAndKeptAsync(Bytes(bomb, Xlsx), 422);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("code").GetString() == "too_large");
    }

    [Fact]
    public async Task Uploads_above_the_memory_budget_are_answered_503_with_retry_after_and_nothing_is_stored()
    {
        var budget = host.Services.GetRequiredService<UploadBudget>();
        var village = host.Villages()[22];
        var period = UniqueMonth();
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { values = host.TypedValues(village, period, seed: 70) }));
        using (budget.TryReserve(budget.Capacity - budget.InFlight - 1024))
        {
            using var refused = await PostAsync(village.Code, period, Bytes(body, "application/json"));

            var problem = await AssertProblemAsync(refused, 503);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            Assert.Contains("重新上传", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await CountAsync(village.Code, period));
        using var accepted = await PostAsync(village.Code, period, Bytes(body, "application/json"));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(0, budget.InFlight);
    }

    [Fact]
    public async Task A_dropped_file_that_does_not_fit_the_upload_memory_stays_for_a_later_pass_and_is_then_ingested()
    {
        var budget = host.Services.GetRequiredService<UploadBudget>();
        var inbox = host.Services.GetRequiredService<ISubmissionInbox>();
        var handler = host.Services.GetRequiredService<IBlobIngestionHandler>();
        var poller = host.Services.GetRequiredService<ReportPipeline.Application.Hosting.SubmissionPoller>();
        var village = host.Villages()[26];
        var period = UniqueMonth();
        var name = $"{period}/{village.Code}/填报.json";
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { values = host.TypedValues(village, period, seed: 72) }));
        await inbox.PutAsync(name, body, "application/json");
        var rejections = host.Rejections.Count;
        var logged = host.Logs.Entries.Count;

        using (budget.TryReserve(budget.Capacity - budget.InFlight - 16))
        {
            // The trigger's call fails (so Event Grid redelivers), the poller's pass leaves it: nothing read, kept, set aside.
            await Assert.ThrowsAsync<UploadDeferredException>(() => handler.IngestAsync(name, CancellationToken.None));
            await poller.DrainAsync(CancellationToken.None);

            Assert.Equal(0, await CountAsync(village.Code, period));
            Assert.Contains(name, await NamesAsync(inbox));
        }

        // A file whose bytes fit but whose parsing does not is deferred too.
        using (budget.TryReserve(budget.Capacity - budget.InFlight - body.Length))
        {
            await Assert.ThrowsAsync<UploadDeferredException>(() => handler.IngestAsync(name, CancellationToken.None));
            Assert.Equal(0, await CountAsync(village.Code, period));
        }

        await poller.DrainAsync(CancellationToken.None);

        Assert.NotEqual(0, await CountAsync(village.Code, period));
        Assert.DoesNotContain(name, await NamesAsync(inbox));
        Assert.DoesNotContain(host.Rejections.Skip(rejections), r => r.Name == name);
        Assert.DoesNotContain(host.Logs.Entries.Skip(logged), e => e.Level >= LogLevel.Error && e.Message.Contains(name, StringComparison.Ordinal));
        Assert.Equal(0, budget.InFlight);
    }

    private static async Task<List<string>> NamesAsync(ISubmissionInbox inbox)
    {
        var names = new List<string>();
        await foreach (var file in inbox.ListAsync())
        {
            names.Add(file.Name);
        }

        return names;
    }

    /// <summary>
    /// 16 workbooks at once whose shared strings inflate to just under the per-upload limit: every answer is a refusal
    /// (422 for not our form, or 503 with Retry-After when the memory budget is taken), never a 500. The host's peak
    /// working set over the attack is written to the test output (it is this process's, host and client together).
    /// </summary>
    [Fact]
    public async Task Sixteen_concurrent_inflating_workbooks_are_all_refused_within_the_memory_budget()
    {
        var limit = host.Services.GetRequiredService<IOptions<PipelineOptions>>().Value.MaxInflatedBytes;
        var bomb = SharedStringsBomb(limit - (256 * 1024));
        var village = host.Villages()[23];
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(10);
            }
        });

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => PostAsync(village.Code, UniqueMonth(), Bytes(bomb, Xlsx))));
        await sampling.CancelAsync();
        await sampler;

        output.WriteLine($"16 × {bomb.Length} B workbooks inflating to {limit - (256 * 1024)} B: working set {baseline / 1048576} MB → peak {peak / 1048576} MB (+{(peak - baseline) / 1048576} MB); answers {string.Join(' ', responses.Select(r => (int)r.StatusCode))}");
        foreach (var response in responses)
        {
            using (response)
            {
                await AssertProblemAsync(response, 422, 503);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Assert.NotNull(response.Headers.RetryAfter);
                }
            }
        }
    }

    // ---------------------------------------------------------------- item 10: a client that hangs up

    [Fact]
    public async Task A_client_that_hangs_up_mid_upload_is_not_logged_as_an_error()
    {
        var budget = host.Services.GetRequiredService<UploadBudget>();
        var village = host.Villages()[24];
        var period = UniqueMonth();
        var logged = host.Logs.Entries.Count;

        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync((IPEndPoint)new IPEndPoint(IPAddress.Loopback, host.Http.BaseAddress!.Port));
            var stream = socket.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"POST /api/orgs/{village.Code}/submissions/{period} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {host.Token(village.Code)}\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"values\": {"));
            await stream.FlushAsync();
            await WaitUntilAsync(() => budget.InFlight > 0);
        }

        await WaitUntilAsync(() => budget.InFlight == 0);
        Assert.DoesNotContain(host.Logs.Entries.Skip(logged), e => e.Level >= LogLevel.Error);
        Assert.Equal(0, await CountAsync(village.Code, period));
    }

    // ---------------------------------------------------------------- item 17: sniffing

    [Theory]
    [InlineData("application/vnd.ms-excel", "csv")]
    [InlineData("application/octet-stream", "csv")]
    [InlineData("text/plain", "csv")]
    [InlineData("application/octet-stream", "json")]
    [InlineData("text/plain", "json")]
    public async Task An_upload_labelled_with_a_generic_type_is_read_by_its_content(string contentType, string format)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var village = host.Villages()[25];
        var period = UniqueMonth();
        var values = host.TypedValues(village, period, seed: 71);
        var body = format == "csv"
            ? System.Text.Encoding.GetEncoding("GB18030").GetBytes(string.Join(',', values.Keys) + "\r\n" + string.Join(',', values.Values.Select(v => "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")) + "\r\n")
            : Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { values }));

        using var response = await PostAsync(village.Code, period, Bytes(body, contentType));

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.NotEqual(0, await CountAsync(village.Code, period));
    }

    // ---------------------------------------------------------------- helpers

    private async Task<JsonElement> RefusedAndKeptAsync(HttpContent content, params int[] statuses)
    {
        var village = host.Villages()[3];
        var period = UniqueMonth();
        var before = host.Rejections.Count;
        using var response = await PostAsync(village.Code, period, content);
        var problem = await AssertProblemAsync(response, statuses);
        Assert.Contains(host.Rejections.Skip(before), r => r.Name.Contains($"/{period}/{village.Code}/", StringComparison.Ordinal));
        Assert.Equal(0, await CountAsync(village.Code, period));
        return problem;
    }

    private async Task<(long Response, long ErrorsJson)> RefusedSizesAsync(HttpContent content)
    {
        var village = host.Villages()[3];
        var period = UniqueMonth();
        var before = host.Rejections.Count;
        using var response = await PostAsync(village.Code, period, content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var rejection = Assert.Single(host.Rejections.Skip(before), r => r.Name.Contains($"/{period}/{village.Code}/", StringComparison.Ordinal));
        output.WriteLine($"problem body {bytes.Length} B, errors.json {rejection.ErrorsJsonBytes} B for {rejection.Errors.Count} errors");
        return (bytes.Length, rejection.ErrorsJsonBytes);
    }

    private async Task<RecordedRejection> DropAndExpectSetAsideAsync(string name, byte[] content)
    {
        var inbox = host.Services.GetRequiredService<ISubmissionInbox>();
        var handler = host.Services.GetRequiredService<IBlobIngestionHandler>();
        await inbox.PutAsync(name, content, "application/octet-stream");
        var before = host.Rejections.Count;

        await handler.IngestAsync(name, CancellationToken.None);
        await handler.IngestAsync(name, CancellationToken.None);

        await foreach (var file in inbox.ListAsync())
        {
            Assert.NotEqual(name, file.Name);
        }

        var rejection = Assert.Single(host.Rejections.Skip(before), r => r.Name == name);
        Assert.Equal(content.Length, rejection.ContentBytes);
        return rejection;
    }

    private Task<HttpResponseMessage> PostAsync(string org, string period, HttpContent content) =>
        host.SendAsync(HttpMethod.Post, $"/api/orgs/{org}/submissions/{period}", host.Token(org), content);

    private async Task<int> CountAsync(string org, string period)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{org}/values/{period}", host.Token(org));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await ReadJsonAsync(response)).GetProperty("count").GetInt32();
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, params int[] statuses)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(statuses.Contains((int)response.StatusCode), $"expected {string.Join('/', statuses)}, got {(int)response.StatusCode}: {(text.Length > 600 ? text[..600] : text)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Contains(problem.GetProperty("detail").GetString()!, c => c is >= '\u4e00' and <= '\u9fff');
        return problem;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the condition did not become true within 30 s");
    }

    private static ByteArrayContent Bytes(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static string Sheet(string rows) =>
        """<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>""" + rows + "</sheetData></worksheet>";

    /// <summary>A minimal .xlsx of one sheet; <paramref name="parts"/> adds or replaces parts (docProps/custom.xml and xl/sharedStrings.xml are wired in when present).</summary>
    internal static byte[] Workbook(Dictionary<string, object> parts)
    {
        var custom = parts.ContainsKey("docProps/custom.xml");
        var shared = parts.ContainsKey("xl/sharedStrings.xml");
        var all = new Dictionary<string, object>
        {
            ["[Content_Types].xml"] = """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"""
                + (custom ? """<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>""" : "")
                + (shared ? """<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>""" : "")
                + "</Types>",
            ["_rels/.rels"] = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"""
                + (custom ? """<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>""" : "")
                + "</Relationships>",
            ["xl/workbook.xml"] = """<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>""",
            ["xl/_rels/workbook.xml.rels"] = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"""
                + (shared ? """<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>""" : "")
                + "</Relationships>",
            ["xl/worksheets/sheet1.xml"] = Sheet(""),
        };
        foreach (var (name, part) in parts)
        {
            all[name] = part;
        }

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, part) in all)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                if (part is Action<Stream> write)
                {
                    write(stream);
                }
                else
                {
                    stream.Write(new UTF8Encoding(false).GetBytes((string)part));
                }
            }
        }

        return buffer.ToArray();
    }

    /// <summary>A small workbook whose shared strings (one long repeated string) inflate to about <paramref name="inflated"/> bytes.</summary>
    internal static byte[] SharedStringsBomb(long inflated) => Workbook(new()
    {
        ["xl/worksheets/sheet1.xml"] = Sheet("""<row r="1"><c r="A1" t="s"><v>0</v></c></row>"""),
        ["xl/sharedStrings.xml"] = (Action<Stream>)(stream =>
        {
            stream.Write("""<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"""u8);
            var chunk = new byte[1024 * 1024];
            Array.Fill(chunk, (byte)'a');
            for (long written = 0; written + chunk.Length <= inflated - 200; written += chunk.Length)
            {
                stream.Write(chunk);
            }

            stream.Write("</t></si></sst>"u8);
        }),
    });
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// Load less: the catalog in the app's shape, revalidated by its ETag instead of fetched whole on every load, answers
/// compressed, and a favicon.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LoadTests(BrowserHostFixture host, ITestOutputHelper output)
{
    [Fact]
    public async Task The_catalog_comes_in_the_apps_shape_with_an_etag_and_compressed()
    {
        var token = host.Token(host.Villages()[0].Code);
        var withOverlap = await GetAsync("/api/catalog?include=overlap", token);
        var full = await GetAsync("/api/catalog", token);
        var form = await GetAsync("/api/catalog?view=form", token);
        var formBrotli = await GetAsync("/api/catalog?view=form", token, "br");
        var formGzip = await GetAsync("/api/catalog?view=form", token, "gzip");
        output.WriteLine($"/api/catalog: with overlap {withOverlap.Bytes:N0} B, without {full.Bytes:N0} B; ?view=form {form.Bytes:N0} B, brotli {formBrotli.Bytes:N0} B, gzip {formGzip.Bytes:N0} B");

        using (var json = JsonDocument.Parse(full.Body))
        {
            Assert.False(json.RootElement.TryGetProperty("overlap", out _));
        }

        using (var json = JsonDocument.Parse(withOverlap.Body))
        {
            Assert.True(json.RootElement.TryGetProperty("overlap", out _));
        }

        using (var json = JsonDocument.Parse(form.Body))
        {
            var fields = json.RootElement.GetProperty("fields").EnumerateArray().ToList();
            Assert.Equal(host.Catalog.Catalog.Fields.Count, fields.Count);
            Assert.All(fields, f => Assert.False(f.TryGetProperty("aliases", out _)));
            Assert.Contains(fields, f => f.TryGetProperty("formula", out var formula) && formula.ValueKind == JsonValueKind.Object);
        }

        Assert.True(form.Bytes < withOverlap.Bytes / 2, $"the app's catalog is {form.Bytes} B of {withOverlap.Bytes} B");
        Assert.Equal("br", formBrotli.Encoding);
        Assert.Equal("gzip", formGzip.Encoding);
        Assert.True(formBrotli.Bytes < form.Bytes / 4, $"compressed {formBrotli.Bytes} B of {form.Bytes} B");
        Assert.False(string.IsNullOrEmpty(form.ETag));
        Assert.Contains("no-cache", form.CacheControl, StringComparison.Ordinal);
        Assert.DoesNotContain("no-store", form.CacheControl, StringComparison.Ordinal);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/catalog?view=form");
        again.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        again.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(form.ETag!));
        using var notModified = await host.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task The_app_revalidates_the_catalog_on_a_repeat_load_and_its_files_come_compressed_with_a_favicon()
    {
        var village = host.Villages()[25];
        // The browser's own HTTP cache (the first load, and browsers without the service worker, which answers from its
        // caches only when the network does not).
        var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "zh-CN",
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(host.BaseAddress + "/");
        var encodings = new Dictionary<string, string?>(StringComparer.Ordinal);
        page.Response += (_, response) =>
        {
            var path = new Uri(response.Url).AbsolutePath;
            // The first load's answers (the repeat load's are 304s, with no body to encode).
            if (response.Status == 200 && (path.EndsWith(".js", StringComparison.Ordinal) || path.StartsWith("/api/catalog", StringComparison.Ordinal)))
            {
                encodings.TryAdd(path, response.Headers.GetValueOrDefault("content-encoding"));
            }
        };
        await SignInAsync(page, village, "submitter", BrowserHostFixture.UniqueMonth());
        await page.WaitForSelectorAsync("body[data-form-ready='true']");

        var catalogRequest = page.WaitForRequestAsync(r => r.Url.Contains("/api/catalog", StringComparison.Ordinal));
        await page.ReloadAsync();
        var request = await catalogRequest;
        var headers = await request.AllHeadersAsync();
        Assert.True(headers.ContainsKey("if-none-match"), "the reload revalidates the catalog with its ETag");
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        // Chromium offers Brotli over HTTPS only; over http://127.0.0.1 it gets gzip.
        Assert.Contains(encodings["/api/catalog"], new[] { "br", "gzip" });

        using var script = new HttpRequestMessage(HttpMethod.Get, "/app.js");
        script.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        using var scriptResponse = await host.Http.SendAsync(script);
        Assert.Equal("br", scriptResponse.Content.Headers.ContentEncoding.Single());

        var icon = await page.GetAttributeAsync("link[rel=icon]", "href");
        Assert.NotNull(icon);
        using var favicon = await host.Http.GetAsync("/" + icon);
        Assert.Equal(HttpStatusCode.OK, favicon.StatusCode);
        Assert.Equal("image/svg+xml", favicon.Content.Headers.ContentType?.MediaType);
        await page.Context.CloseAsync();
    }

    private async Task<(int Bytes, string Body, string? Encoding, string? ETag, string CacheControl)> GetAsync(string path, string token, string? encoding = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (encoding is not null)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        }

        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return (bytes.Length, encoding is null ? System.Text.Encoding.UTF8.GetString(bytes) : "", response.Content.Headers.ContentEncoding.FirstOrDefault(),
            response.Headers.ETag?.Tag, response.Headers.CacheControl?.ToString() ?? "");
    }
}

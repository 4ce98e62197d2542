using Microsoft.AspNetCore.Http;

namespace ReportPipeline.Application.Http;

/// <summary>
/// Streams a workbook with a Chinese download name: an ASCII fallback in <c>filename</c> and the UTF-8 name in
/// <c>filename*</c> (RFC 5987/6266), which every current browser prefers.
/// </summary>
internal sealed class FileDownloadResult(Stream content, string contentType, string fileName) : IResult
{
    private const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static FileDownloadResult Workbook(byte[] content, string fileName) =>
        new(new MemoryStream(content, writable: false), XlsxContentType, fileName);

    public static FileDownloadResult Workbook(Stream content, string fileName) => new(content, XlsxContentType, fileName);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        var ascii = new string(fileName.Select(ch => ch is >= ' ' and < (char)127 and not '"' and not '\\' ? ch : '_').ToArray());
        response.Headers.ContentDisposition = $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
        if (content.CanSeek)
        {
            response.ContentLength = content.Length - content.Position;
        }

        await using (content)
        {
            await content.CopyToAsync(response.Body, httpContext.RequestAborted);
        }
    }
}

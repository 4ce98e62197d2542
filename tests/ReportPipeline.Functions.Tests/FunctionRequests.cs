using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace ReportPipeline.Functions.Tests;

/// <summary>What a function answered: status, content type, ETag and body.</summary>
internal sealed record Answer(int Status, string? ContentType, string? ETag, string Body);

/// <summary>
/// Calls one of the Functions app's functions the way the ASP.NET Core integration hands it a request (an
/// <see cref="HttpContext"/> on the app's own service provider), and executes the result it returns.
/// </summary>
internal static class FunctionRequests
{
    public static async Task<Answer> RunAsync(
        IServiceProvider services, string token, string method, string? contentType, string? body, string? ifMatch, Func<HttpContext, Task<IActionResult>> function)
    {
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Method = method;
        http.Request.Headers.Authorization = "Bearer " + token;
        if (ifMatch is not null)
        {
            http.Request.Headers.IfMatch = ifMatch;
        }

        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            http.Request.ContentType = contentType;
            http.Request.ContentLength = bytes.Length;
            http.Request.Body = new MemoryStream(bytes);
        }

        http.Response.Body = new MemoryStream();
        var result = await function(http);
        await result.ExecuteResultAsync(new ActionContext(http, new RouteData(), new Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor()));
        http.Response.Body.Position = 0;
        return new Answer(http.Response.StatusCode, http.Response.ContentType, http.Response.Headers.ETag.ToString() is { Length: > 0 } e ? e : null,
            await new StreamReader(http.Response.Body).ReadToEndAsync());
    }
}

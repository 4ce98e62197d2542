using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using ReportPipeline.Application.Hosting;

namespace ReportPipeline.Functions.Hosting;

/// <summary>
/// Lets a function return the handlers' <see cref="IResult"/>: the ASP.NET Core integration executes an
/// <see cref="IActionResult"/> against the request's <see cref="HttpContext"/>, which is exactly what an
/// <see cref="IResult"/> needs, so problem+json, files and status codes come out the same as on the local host; and
/// compressed by the same ASP.NET Core response compression the local host runs as middleware.
/// </summary>
public sealed class ResultAction(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ResponseCompressionSetup.ExecuteCompressedAsync(context.HttpContext, result.ExecuteAsync);
    }
}

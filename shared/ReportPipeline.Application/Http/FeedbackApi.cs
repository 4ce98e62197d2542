using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Feedback;

namespace ReportPipeline.Application.Http;

/// <summary><c>POST orgs/{org}/feedback/{period}</c>: a clerk's note on a period's form.</summary>
public sealed class FeedbackApi(ApiRoute route, FeedbackService feedback)
{
    private const int MaxFeedbackBytes = 64 * 1024;

    public Task<IResult> PostFeedbackAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.PostFeedback, org, period, async target =>
        {
            var body = await ReadSmallBodyAsync(request, cancellationToken);
            if (body is null)
            {
                return Problems.PayloadTooLarge(MaxFeedbackBytes);
            }

            var result = await feedback.SubmitAsync(target.Org, target.Period, body, cancellationToken);
            return result.Errors.Count > 0
                ? Problems.Invalid(result.Errors, [])
                : Results.Json(result, statusCode: StatusCodes.Status201Created);
        }, cancellationToken);

    private static async Task<byte[]?> ReadSmallBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxFeedbackBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxFeedbackBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}

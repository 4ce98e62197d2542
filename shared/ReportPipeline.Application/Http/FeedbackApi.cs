using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Feedback;

namespace ReportPipeline.Application.Http;

/// <summary><c>POST orgs/{org}/feedback/{period}</c>: a clerk's note on a period's form.</summary>
public sealed class FeedbackApi(ApiRoute route, RequestBodyReader bodies, FeedbackService feedback)
{
    private const int MaxFeedbackBytes = 64 * 1024;

    public Task<IResult> PostFeedbackAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.PostFeedback, org, period, async target =>
        {
            using var body = await bodies.ReadJsonAsync(request, MaxFeedbackBytes, cancellationToken);
            if (body.Problem is not null)
            {
                return body.Problem;
            }

            var result = await feedback.SubmitAsync(target.Org, target.Period, body.Document!.RootElement, cancellationToken);
            return result.Errors.Count > 0
                ? Problems.Invalid(result.Errors, [])
                : Results.Json(result, statusCode: StatusCodes.Status201Created);
        }, cancellationToken);
}

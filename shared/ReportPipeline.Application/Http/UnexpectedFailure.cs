using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace ReportPipeline.Application.Http;

/// <summary>
/// The API's answer to a failure nobody anticipated, the same on both hosts: a Chinese problem+json with status 500
/// that says the error was logged and that resending is harmless. The exception itself goes to the log only, never to
/// the caller (who may be anonymous, as on <c>/api/health</c>).
/// </summary>
public static class UnexpectedFailure
{
    public const int Status = StatusCodes.Status500InternalServerError;
    public const string Title = "服务器内部错误";
    public const string Detail = "处理请求时发生意外错误，已记录日志。请稍后重试（同一内容重复提交不会重复保存）；如仍失败，请联系运维。";

    /// <summary>Gives a 500 problem the Chinese title and detail; other problems are left as they are.</summary>
    public static void Describe(ProblemDetails problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (problem.Status == Status)
        {
            problem.Title = Title;
            problem.Detail = Detail;
        }
    }

    /// <summary>
    /// Registers the problem details service with <see cref="Describe"/>: the local host's exception handler and the
    /// Functions worker's middleware both write through it, so their bodies are the same.
    /// </summary>
    public static IServiceCollection AddUnexpectedFailureProblems(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context => Describe(context.ProblemDetails));

    /// <summary>
    /// Writes the answer for <paramref name="exception"/> the way ASP.NET Core's exception handler does: status 500,
    /// then the problem details service. Returns false when the response has already started (nothing can be written).
    /// </summary>
    public static async ValueTask<bool> TryWriteAsync(HttpContext context, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Response.HasStarted)
        {
            return false;
        }

        context.Response.Clear();
        context.Response.StatusCode = Status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = Status },
            Exception = exception,
        });
    }
}

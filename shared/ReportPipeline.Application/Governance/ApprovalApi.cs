using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Http;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Governance;

/// <summary>What a step answers: the org's new state and a sentence saying what happened.</summary>
public sealed record ApprovalStepResponse(
    string Org,
    string Name,
    string Period,
    string Action,
    string ActionName,
    string State,
    string StateName,
    bool Locked,
    string By,
    string ByOrg,
    DateTimeOffset At,
    string? Reason,
    string Message);

/// <summary>
/// <c>GET orgs/{org}/approval/{period}</c>: the review state of the org and every org below it, and every step taken on
/// them. <c>POST orgs/{org}/approval/{period}</c> with <c>{"action":"approve"|"return"|"unlock","reason":"…"}</c>: one
/// step, 200 with the new state; 403 when the caller's org may not take it, 409 when the state does not allow it (or a
/// concurrent step won), 400 for a malformed body or a missing reason.
/// </summary>
public sealed class ApprovalApi(ApiRoute route, RequestBodyReader bodies, ApprovalService approvals, ILogger<ApprovalApi> logger)
{
    /// <summary>An action and a reason of at most 500 characters fit easily; more is not a step.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    public Task<IResult> GetAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadApproval, org, period,
            async (target, caller) => Results.Json(await approvals.GetAsync(target.Org, target.Period, caller, cancellationToken)), cancellationToken);

    public Task<IResult> PostAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.Approve, org, period, async (target, caller) =>
        {
            var (action, reason, problem) = await ReadBodyAsync(request, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            ApprovalOutcome outcome;
            try
            {
                outcome = await approvals.ActAsync(caller, target.Org, target.Period, action, reason, cancellationToken);
            }
            catch (ApprovalConcurrencyException ex)
            {
                return ApprovalProblems.Conflict(ex.Message, "approval-race");
            }

            var decision = outcome.Decision;
            if (!decision.IsAllowed)
            {
                logger.LogInformation("Refused {Action} on {Org} {Period} to {Subject} of {CallerOrg}: {Refusal}",
                    action, target.Org.Code, target.Period.ToString(), caller.Subject, caller.OrgCode, decision.Refusal);
                return decision.Refusal switch
                {
                    ApprovalRefusal.NotReviewer => Problems.Problem(StatusCodes.Status403Forbidden, "无权审核", decision.Message, "not-reviewer"),
                    ApprovalRefusal.ReasonMissing => ApprovalProblems.BadRequest(decision.Message, "reason-required"),
                    _ => ApprovalProblems.Conflict(decision.Message, "approval-state"),
                };
            }

            var record = outcome.Record!;
            // The state shown after the step, by the same rule as every other page (ApprovalState.Of, in the service).
            var state = (outcome.Unit!.State, outcome.Unit.StateName);
            var name = $"{target.Org.Name}（{target.Org.Code}）{target.Period.ToDisplayString()}";
            return Results.Json(new ApprovalStepResponse(
                target.Org.Code,
                target.Org.Name,
                target.Period.ToString(),
                action.ToString().ToLowerInvariant(),
                ApprovalNames.Of(action),
                state.Item1,
                state.Item2,
                record.IsLocked,
                record.BySubject,
                record.ByOrg,
                record.At,
                record.Reason,
                action switch
                {
                    ApprovalAction.Approve => $"{name} 的数据已审核通过并锁定，此后的提交将被拒绝。",
                    ApprovalAction.Return => $"{name} 的数据已退回，填报单位可看到退回原因并重新提交。",
                    _ => $"{name} 的数据已解锁，可以重新提交，修改后须重新审核。",
                }));
        }, cancellationToken);

    /// <summary>
    /// The step the body asks for, or the problem answering it: the body is read and checked by the one
    /// <see cref="RequestBodyReader"/> (415 unless JSON in UTF-8, 400 for text that is not text), so nothing reaches the
    /// approval service unless it is an action and, if given, a reason that can be stored.
    /// </summary>
    private async Task<(ApprovalAction Action, string? Reason, IResult? Problem)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await bodies.ReadJsonAsync(request, MaxBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return (default, null, body.Problem);
        }

        const string Expected = "请求体应为 JSON：{\"action\":\"approve\"|\"return\"|\"unlock\",\"reason\":\"原因\"}。";
        var root = body.Document!.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("action", out var actionText) || actionText.ValueKind != JsonValueKind.String)
        {
            return (default, null, ApprovalProblems.BadRequest(Expected));
        }

        string? reason = null;
        if (root.TryGetProperty("reason", out var reasonText) && reasonText.ValueKind != JsonValueKind.Null)
        {
            if (reasonText.ValueKind != JsonValueKind.String)
            {
                return (default, null, ApprovalProblems.BadRequest("reason 应为文字。"));
            }

            reason = reasonText.GetString();
        }

        return actionText.GetString() switch
        {
            "approve" => (ApprovalAction.Approve, reason, null),
            "return" => (ApprovalAction.Return, reason, null),
            "unlock" => (ApprovalAction.Unlock, reason, null),
            var other => (default, null, ApprovalProblems.BadRequest(
                $"未知的审核操作“{UserText.Excerpt(other ?? "")}”：action 应为 approve（审核通过）、return（退回）或 unlock（解锁）。")),
        };
    }
}

/// <summary>The problem+json answers of the approval chain, the lock refusal of a submission among them.</summary>
public static class ApprovalProblems
{

    /// <summary>409 for a submission to locked data: who approved it and when, and that nothing was saved.</summary>
    public static IResult Locked(string message) =>
        Problems.Problem(StatusCodes.Status409Conflict, "数据已审核锁定", message, "locked");

    public static IResult Conflict(string detail, string type) =>
        Problems.Problem(StatusCodes.Status409Conflict, "审核状态不允许该操作", detail, type);

    public static IResult BadRequest(string detail, string type = "bad-approval-request") =>
        Problems.Problem(StatusCodes.Status400BadRequest, "请求格式错误", detail, type);
}

using System.Text.Json;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Feedback;

public sealed record FeedbackResult(string Org, string Period, int Saved, IReadOnlyList<ValidationError> Errors);

/// <summary>Reads <c>{"ratings": [{"template": "…", "score": 1-5, "comment": "…"}]}</c>, checks every entry, stores all or nothing.</summary>
public sealed class FeedbackService(ReferenceData reference, IFeedbackStore store, TimeProvider time, ILogger<FeedbackService> logger)
{
    /// <param name="body">The request's JSON, read by <see cref="Http.RequestBodyReader"/>: every string in it is text.</param>
    public async Task<FeedbackResult> SubmitAsync(Org org, Period period, JsonElement body, CancellationToken cancellationToken)
    {
        var errors = new List<ValidationError>();
        var ratings = new List<BurdenRating>();
        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("ratings", out var array)
            || array.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new ValidationError(null, "ratings_missing", "请求体应为 {\"ratings\": [{\"template\": 报表编号, \"score\": 1-5, \"comment\": 说明}]}。"));
        }
        else
        {
            var bundle = await reference.CatalogForAsync(period, cancellationToken);
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                var at = $"ratings[{index++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(new ValidationError(null, "not_an_object", "每条评价应为 {\"template\": 报表编号, \"score\": 1-5, \"comment\": 说明} 形式的对象。", at));
                    continue;
                }

                var template = item.TryGetProperty("template", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                var score = item.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var n) ? n : (int?)null;
                var comment = item.TryGetProperty("comment", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                if (template is null || bundle.FindTemplate(template) is null)
                {
                    errors.Add(new ValidationError(template, "unknown_template", $"没有编号为“{template}”的报表。", at));
                }
                else if (score is null or < 1 or > 5)
                {
                    errors.Add(new ValidationError(template, "bad_score", "评分应为 1（负担轻）到 5（负担很重）之间的整数。", at));
                }
                else if (comment?.Length > 500)
                {
                    errors.Add(new ValidationError(template, "comment_too_long", "说明不能超过 500 字。", at));
                }
                else
                {
                    ratings.Add(new BurdenRating(template, score.Value, comment));
                }
            }
        }

        if (errors.Count > 0)
        {
            return new FeedbackResult(org.Code, period.ToString(), 0, errors);
        }

        await store.SaveAsync(org.Code, period, ratings, time.GetUtcNow(), cancellationToken);
        logger.LogInformation("Saved {Count} burden ratings from {Org} {Period}", ratings.Count, org.Code, period.ToString());
        return new FeedbackResult(org.Code, period.ToString(), ratings.Count, []);
    }
}

using System.Globalization;
using ReportPipeline.Domain.Periods;
using Azure.Data.Tables;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// Ratings in the <c>BurdenFeedback</c> table (created at start by the storage provisioner): partition per period, one
/// row per (org, template), all of one post in one transaction.
/// </summary>
public sealed class TableFeedbackStore(TableClient table) : IFeedbackStore
{
    public async Task SaveAsync(string orgCode, Period period, IReadOnlyList<BurdenRating> ratings, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var actions = ratings
            .DistinctBy(r => r.Template)
            .Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(period.ToString(), $"{orgCode}|{TableKey.Escape(r.Template)}")
            {
                ["Org"] = orgCode,
                ["Template"] = r.Template,
                ["Score"] = r.Score,
                ["Comment"] = r.Comment ?? "",
                ["RatedAt"] = at,
                ["Period"] = period.ToString(),
                ["District"] = Domain.Orgs.OrgRegistry.DistrictPrefix(orgCode),
                ["Version"] = at.UtcTicks.ToString(CultureInfo.InvariantCulture),
            }))
            .ToList();
        foreach (var chunk in actions.Chunk(TableLimits.MaxTransactionActions))
        {
            await table.SubmitTransactionAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
    }
}

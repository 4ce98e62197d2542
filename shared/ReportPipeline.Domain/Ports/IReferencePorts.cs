using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Ports;

/// <summary>Where the org registry lives: the seeded registry in storage, or the sample city shipped with the catalog.</summary>
public interface IOrgRegistrySource
{
    /// <summary>The registry and a version tag (ETag or file time) that changes when it does.</summary>
    Task<(OrgRegistry Registry, string Version)> LoadAsync(CancellationToken cancellationToken);

    Task SaveAsync(IReadOnlyCollection<Org> orgs, CancellationToken cancellationToken);
}

/// <summary>One 下评上 rating: how heavy a template is for the org that fills it (1 light … 5 very heavy).</summary>
public sealed record BurdenRating(string Template, int Score, string? Comment);

/// <summary>Where ratings are kept: one per (period, org, template); rating again replaces the earlier one.</summary>
public interface IFeedbackStore
{
    Task SaveAsync(string orgCode, Period period, IReadOnlyList<BurdenRating> ratings, DateTimeOffset at, CancellationToken cancellationToken);
}

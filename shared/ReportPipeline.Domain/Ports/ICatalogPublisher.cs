using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Ports;

/// <summary>
/// The newest catalog version a publisher may build on: its name, sequence and the first period it is in force for;
/// <see cref="Pending"/> while its publisher is still writing it (build on it once it is published).
/// </summary>
public sealed record CatalogHead(string Version, int Sequence, Period? InForceFrom, bool Pending = false);

/// <summary>
/// Publishes catalog versions, each immutable, each the successor of exactly one other: a version is published only if
/// no other version took its sequence number first, so two admissions racing give two consecutive versions (the second
/// built on the first) or one refusal, never a version that silently drops the other's change.
/// </summary>
public interface ICatalogPublisher
{
    /// <summary>
    /// A version still being written after this long is abandoned (its publisher died): the next publisher takes its
    /// sequence number over, and whatever started it (an admission) may be settled as not published.
    /// </summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(5);

    /// <summary>The version the next one must be built on (the greatest sequence, published or being published).</summary>
    Task<CatalogHead> GetHeadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Publishes <paramref name="documents"/> as the successor of <paramref name="basedOn"/>, in force from
    /// <paramref name="inForceFrom"/>, recording <paramref name="origin"/> (what asked for it, e.g. a proposal's id) with it.
    /// Null when another version was (or is being) published on the same base: nothing of this one is then visible, and
    /// the caller rebuilds on the new head or gives up.
    /// </summary>
    Task<string?> PublishAsync(CatalogHead basedOn, IReadOnlyList<CatalogDocument> documents, Period inForceFrom, string origin, CancellationToken cancellationToken);

    /// <summary>
    /// The version published (or being published) for <paramref name="origin"/>, or null when there is none: how a caller
    /// that lost the answer of <see cref="PublishAsync"/> (a crash, a timeout after the commit) learns whether it landed.
    /// </summary>
    Task<CatalogPublication?> FindPublicationAsync(string origin, CancellationToken cancellationToken);
}

/// <summary>Where the version of one origin stands.</summary>
public enum CatalogPublicationState
{
    /// <summary>Visible to every reader.</summary>
    Published,
    /// <summary>Its publisher is still writing it.</summary>
    Publishing,
    /// <summary>Its publisher stopped writing it more than <see cref="ICatalogPublisher.AbandonedAfter"/> ago: it will never be visible.</summary>
    Abandoned,
}

/// <summary>The version of one origin and where it stands.</summary>
public sealed record CatalogPublication(string Version, CatalogPublicationState State);

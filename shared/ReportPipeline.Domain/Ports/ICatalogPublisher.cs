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
    /// <summary>The version the next one must be built on (the greatest sequence, published or being published).</summary>
    Task<CatalogHead> GetHeadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Publishes <paramref name="documents"/> as the successor of <paramref name="basedOn"/>, in force from
    /// <paramref name="inForceFrom"/>. Null when another version was (or is being) published on the same base: nothing
    /// of this one is then visible, and the caller rebuilds on the new head or gives up.
    /// </summary>
    Task<string?> PublishAsync(CatalogHead basedOn, IReadOnlyList<CatalogDocument> documents, Period inForceFrom, CancellationToken cancellationToken);
}

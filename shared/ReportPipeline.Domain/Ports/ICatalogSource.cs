using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Ports;

/// <summary>
/// Where the catalog's source documents live: a folder (the catalog shipped with the code) today; immutable versions
/// in blob storage (<c>catalog/{version}/…</c>), each in force from a period, are meant to fit the same two calls.
/// The domain parses what a source hands over (<see cref="CatalogLoader.Load"/>); a source only fetches.
/// </summary>
public interface ICatalogSource
{
    /// <summary>
    /// The name of the version in force for <paramref name="period"/> (null: the newest), as <see cref="LoadAsync"/>
    /// takes it. A folder holds one version, in force for every period.
    /// </summary>
    Task<string> GetVersionAsync(Period? period, CancellationToken cancellationToken);

    /// <summary>
    /// The documents of one version, every one of them (the loader decides what is missing or wrong).
    /// A published version does not change, so a caller may keep what it parsed under the version's name.
    /// </summary>
    /// <exception cref="CatalogLoadException">When the source has no such version.</exception>
    Task<CatalogDocumentSet> LoadAsync(string version, CancellationToken cancellationToken);
}

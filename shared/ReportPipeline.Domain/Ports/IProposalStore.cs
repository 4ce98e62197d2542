namespace ReportPipeline.Domain.Ports;

/// <summary>A stored proposal document and the tag its next change must name.</summary>
public sealed record StoredProposal(string Id, ReadOnlyMemory<byte> Json, string ETag);

/// <summary>
/// The proposals of department reports and their decisions, one document each. Every change names the version it was
/// based on, so two decisions on one proposal cannot both win.
/// </summary>
public interface IProposalStore
{
    /// <summary>Stores a new proposal; false when the id is taken.</summary>
    Task<bool> CreateAsync(string id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken);

    Task<StoredProposal?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces the proposal if it is still at <paramref name="etag"/>; false when someone changed it first.</summary>
    Task<bool> ReplaceAsync(string id, ReadOnlyMemory<byte> json, string etag, CancellationToken cancellationToken);

    /// <summary>Every proposal (a city has tens to hundreds a year).</summary>
    IAsyncEnumerable<StoredProposal> ListAsync(CancellationToken cancellationToken);
}

namespace ReportPipeline.Domain.Ports;

/// <summary>
/// What a bulk write did: orgs written fresh, orgs that met existing data and went through the merge instead, and the
/// entities and entity group transactions of the fresh writes (the merges count in the storage counters as usual).
/// </summary>
public sealed record BulkWriteResult(int Written, int Merged, int Entities, int Transactions);

/// <summary>
/// Loads many orgs' values at once (seeding a city): each request is stored exactly as <see cref="IFieldValueStore.MergeAsync"/>
/// would store it into an empty org, but orgs sharing a partition travel together in entity group transactions. An org
/// that already holds anything for the period goes through the merge instead, so a re-run writes nothing new. Every
/// request is checked as the merge checks it (<see cref="MergeRequest.BeforeCommit"/> on the empty org's values, its
/// expected version) before anything is written: a refusal throws as the merge's would, and nothing of the call is written.
/// </summary>
public interface IBulkValueWriter
{
    Task<BulkWriteResult> WriteNewAsync(IReadOnlyList<MergeRequest> requests, int maxConcurrency, IProgress<int>? progress, CancellationToken cancellationToken = default);
}

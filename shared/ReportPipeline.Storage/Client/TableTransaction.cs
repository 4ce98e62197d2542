using Azure;

namespace ReportPipeline.Storage.Client;

public enum TableTransactionActionType
{
    /// <summary>Insert; fails with 409 when the entity exists.</summary>
    Add,
    /// <summary>Merge into an existing entity, conditional on its ETag (or any, with <see cref="ETag.All"/>).</summary>
    UpdateMerge,
    /// <summary>Replace an existing entity, conditional on its ETag (or any, with <see cref="ETag.All"/>).</summary>
    UpdateReplace,
    UpsertMerge,
    UpsertReplace,
    /// <summary>Delete, conditional on the ETag (or any, with <see cref="ETag.All"/>).</summary>
    Delete,
}

public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity, ETag ETag = default);

/// <summary>What one operation of a successful entity group transaction returned.</summary>
public sealed record TableTransactionResult(int Status, ETag? ETag);

public enum TableUpdateMode
{
    Merge,
    Replace,
}

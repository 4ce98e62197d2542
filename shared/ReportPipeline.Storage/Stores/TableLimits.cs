namespace ReportPipeline.Storage.Stores;

/// <summary>Limits of Azure Table Storage that shape how the stores write.</summary>
internal static class TableLimits
{
    /// <summary>An entity group transaction holds at most 100 operations, all in one partition.</summary>
    public const int MaxTransactionActions = 100;
}

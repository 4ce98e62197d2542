using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Storage.Configuration;
using ReportPipeline.Storage.Diagnostics;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Testing;
using static ReportPipeline.Storage.Tests.Stores.Submissions;

namespace ReportPipeline.Storage.Tests.Stores;

/// <summary>
/// A commit whose answer is lost after it reached the service: the SDK's transport sends it again, and that second try
/// meets the first one's write (409/412). Whatever committed meanwhile, the merge must not write the submission twice.
/// </summary>
[Collection(AzuriteFixture.CollectionName)]
public sealed class LostCommitAnswerTests(AzuriteFixture azurite)
{
    private const string Village = "500103001001";

    // Without an Idempotency-Key, and with another submission for the village committed between the lost answer and the
    // retry, neither receipt row tells the merge that its own first try landed; its audit row does.
    [Fact]
    public async Task A_commit_whose_answer_was_lost_and_retried_after_another_commit_is_not_written_twice()
    {
        await using var table = await azurite.CreateTableAsync();
        var plain = new TableFieldValueStore(table.Client, NullLogger<TableFieldValueStore>.Instance, TimeProvider.System);
        await plain.MergeAsync(Request(Village, Numbers(10), "setup"));
        var lose = new LoseFirstCommitAnswer(() => plain.MergeAsync(Request(Village, Numbers(10, seed: 7), "meanwhile")));
        var options = StorageClients.Configure(new TableClientOptions(), new StorageDiagnostics(), StorageService.Table);
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.AddPolicy(lose, HttpPipelinePosition.PerRetry);
        var client = StorageClients.CreateTableServiceClient(azurite.Settings, options).GetTableClient(table.Client.Name);
        var store = new TableFieldValueStore(client, NullLogger<TableFieldValueStore>.Instance, TimeProvider.System);

        var receipt = await store.MergeAsync(Request(Village, Numbers(10, seed: 3), "lost-answer"));

        Assert.Equal(1, lose.Lost);
        Assert.Equal("lost-answer", receipt.SubmissionId);
        Assert.False(receipt.IsReplay);
        var audit = await plain.ReadAuditAsync(Village, November).ToListAsync();
        Assert.Equal(["meanwhile", "lost-answer", "setup"], audit.Select(a => a.SubmissionId));
    }

    /// <summary>
    /// Lets the first entity group transaction reach the service and commit, runs <paramref name="meanwhile"/> (another
    /// writer), then fails as a dropped connection does, so that the SDK's retry policy sends the transaction again.
    /// </summary>
    private sealed class LoseFirstCommitAnswer(Func<Task> meanwhile) : HttpPipelinePolicy
    {
        private int _lost;

        public int Lost => Volatile.Read(ref _lost);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (message.Request.Method == RequestMethod.Post && message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal)
                && Interlocked.CompareExchange(ref _lost, 1, 0) == 0)
            {
                await meanwhile();
                throw new IOException("The connection was reset before the answer was read.");
            }
        }
    }
}

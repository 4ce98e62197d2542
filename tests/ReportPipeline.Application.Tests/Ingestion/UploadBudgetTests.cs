using Microsoft.Extensions.Options;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Options;

namespace ReportPipeline.Application.Tests.Ingestion;

public sealed class UploadBudgetTests
{
    private static UploadBudget Budget(long capacity) => new(Microsoft.Extensions.Options.Options.Create(new PipelineOptions { MaxUploadBytesInFlight = capacity }));

    [Fact]
    public void Reservations_beyond_the_capacity_are_refused_until_a_lease_is_released()
    {
        var budget = Budget(100);
        var first = budget.TryReserve(60);

        Assert.NotNull(first);
        Assert.Null(budget.TryReserve(41));
        first!.Dispose();
        using var second = budget.TryReserve(100);
        Assert.NotNull(second);
    }

    [Fact]
    public void A_lease_grows_only_within_the_capacity_and_gives_back_what_it_shrinks()
    {
        var budget = Budget(100);
        using var lease = budget.TryReserve(50)!;
        using var other = budget.TryReserve(30)!;

        Assert.False(lease.TryResize(71));
        Assert.Equal(80, budget.InFlight);
        Assert.True(lease.TryResize(10));
        Assert.Equal(40, budget.InFlight);
        Assert.True(lease.TryResize(70));
        Assert.Equal(100, budget.InFlight);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ReportPipeline.Application.Governance;

public static class ApprovalServiceCollectionExtensions
{
    /// <summary>The approval chain and the value history, with their routes' handlers; both hosts get them from the composition root.</summary>
    public static IServiceCollection AddApprovalAndHistory(this IServiceCollection services)
    {
        services.TryAddSingleton<ApprovalService>();
        services.TryAddSingleton<ApprovalApi>();
        services.TryAddSingleton<HistoryApi>();
        return services;
    }
}

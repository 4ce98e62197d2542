using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Excel;

namespace ReportPipeline.Application.Governance;

public static class GovernanceServiceCollectionExtensions
{
    /// <summary>The design check's handler and its workbook header reader; both hosts call this once.</summary>
    public static IServiceCollection AddTemplateDesignCheck(this IServiceCollection services)
    {
        services.TryAddSingleton<ITemplateHeaderReader, TemplateHeaderReader>();
        services.TryAddSingleton<TemplateCheckApi>();
        services.TryAddSingleton<Admission.AdmissionService>();
        services.TryAddSingleton<Admission.AdmissionApi>();
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Audit;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Excel;

namespace ReportPipeline.Application.Prefill;

public static class DepartmentDataServiceCollectionExtensions
{
    /// <summary>带数下发 (the route, the blob drop and the service behind both) and the record of reads with its route.</summary>
    public static IServiceCollection AddDepartmentData(this IServiceCollection services)
    {
        services.TryAddSingleton<ISheetTableReader>(sp => new SheetTableReader(sp.GetRequiredService<IOptions<PipelineOptions>>().Value.MaxInflatedBytes));
        services.TryAddSingleton<PrefillService>();
        services.TryAddSingleton<PrefillApi>();
        services.TryAddSingleton<PrefillBlobHandler>();
        services.TryAddSingleton<AccessRecorder>();
        services.TryAddSingleton<AccessLogApi>();
        return services;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Governance;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Audit;
using ReportPipeline.Application.Prefill;
using ReportPipeline.Application.Reference;
using ReportPipeline.Storage.Configuration;
using ReportPipeline.Development.Emulator;
using ReportPipeline.Storage.Stores;

namespace ReportPipeline.LocalHost;

/// <summary>
/// Builds the local host: the same composition root as the Functions app, the contract's routes under <c>/api</c>
/// served by Kestrel, and (for <c>serve</c>) the blob poller and the consolidation timer. With no <c>ReportStorage</c>
/// setting it starts the embedded Azurite (in memory, free ports) and stops it on exit.
/// </summary>
public sealed class LocalHostRuntime : IAsyncDisposable
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    private readonly AzuriteEmulator? _azurite;

    private LocalHostRuntime(WebApplication app, AzuriteEmulator? azurite)
    {
        App = app;
        _azurite = azurite;
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Where the host listens once started (the first bound address).</summary>
    public string BaseAddress => App.Urls.FirstOrDefault() ?? DefaultUrl;

    public bool UsesEmbeddedStorage => _azurite is not null;

    /// <summary>CPU time the embedded emulator has used so far (null without one or without /proc).</summary>
    public TimeSpan? EmulatorCpuTime => _azurite?.CpuTime();

    public static async Task<LocalHostRuntime> CreateAsync(
        string[] args,
        string? url,
        bool runWorkers,
        Action<IConfigurationBuilder>? configure = null,
        LogLevel minimumLevel = LogLevel.Information,
        CancellationToken cancellationToken = default,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder.Configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(minimumLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        // Azure.Core logs every 4xx answer as a warning, including the 404s and 412s the pipeline expects (a workbook not
        // built yet, a lost ETag race); retries and conflicts are counted by StorageCountingPolicy instead. host.json does the same.
        builder.Logging.AddFilter("Azure.Core", LogLevel.Error);

        AzuriteEmulator? azurite = null;
        if (!HasStorageSetting(builder.Configuration))
        {
            azurite = await AzuriteEmulator.StartAsync(cancellationToken: cancellationToken);
            builder.Configuration[ReportStorageSettings.DefaultName] = azurite.ConnectionString;
        }

        builder.WebHost.UseUrls(url ?? DefaultUrl);
        builder.Services.AddReportPipeline(builder.Configuration, developmentDefaults: true);
        builder.Services.AddSingleton<SubmissionPoller>();
        builder.Services.AddSingleton<PrefillPoller>();
        builder.Services.AddSingleton<ConsolidationQueueWorker>();
        builder.Services.AddSingleton<ConsoleMetrics>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConsoleMetrics>());
        builder.Services.AddHostedService<FirstRequestWarmUp>();
        if (runWorkers)
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SubmissionPoller>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<PrefillPoller>());
            builder.Services.AddHostedService<ConsolidationTimer>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ConsolidationQueueWorker>());
        }

        configureServices?.Invoke(builder.Services);

        // An unexpected failure answers as the Functions app does (one definition); the exception goes to the log only.
        builder.Services.AddUnexpectedFailureProblems();
        builder.Services.AddApiContract();
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseResponseCompression();
        WebAppHosting.UseWebApp(app);
        DevelopmentSignIn.MapIfEnabled(app);
        MapRoutes(app);
        app.MapApiContract();

        // Verbs that never start the web host (seed, consolidate, bench) still need the tables and containers.
        await app.Services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(cancellationToken);
        // And the reference data every request reads (the host's start runs the same warm-up again, then a cache hit).
        await app.Services.GetRequiredService<ReferenceWarmUp>().WarmAsync(cancellationToken);
        return new LocalHostRuntime(app, azurite);
    }

    public static bool HasStorageSetting(IConfiguration configuration) => ReportStorageSettings.IsConfigured(configuration);

    /// <summary>The same route constants the Functions app binds, each handed to the same handler.</summary>
    private static void MapRoutes(WebApplication app)
    {
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        const string Collect = "填报", Govern = "审核与治理", Consolidate = "汇总", Admit = "报表准入", Reference = "目录与运维", Departments = "部门";
        (string, string) period = ("period", "统计期：2026（年）、2026-Q4（季度）或 2026-11（月）");
        api.MapGet(ApiRoutes.Health, (HttpRequest r, IPipelineHttpApi h, CancellationToken ct) => h.GetHealthAsync(r, ct))
            .Describe(Reference, "健康检查：存储是否可达（无需令牌）");
        api.MapGet(ApiRoutes.Catalog, (HttpRequest r, IPipelineHttpApi h, CancellationToken ct) => h.GetCatalogAsync(r, ct))
            .Describe(Reference, "一表通目录：指标、规则、部门与报表模板（含每个派生指标的解析树）", period, ("view", "form：网页填报所需的精简形式"), ("include", "overlap：附各报表与一表的重合分析"));
        api.MapGet(ApiRoutes.Form, (HttpRequest r, string org, string period, IPipelineHttpApi h, CancellationToken ct) => h.GetFormAsync(r, org, period, ct))
            .Describe(Collect, "下载本期一表通填报表（.xlsx，已预填、可带数下发）");
        api.MapPost(ApiRoutes.Submissions, (HttpRequest r, string org, string period, IPipelineHttpApi h, CancellationToken ct) => h.SubmitAsync(r, org, period, ct))
            .Describe(Collect, "提交一表通：JSON、CSV 或填好的表格；If-Match 防止覆盖更新的数据（412），Idempotency-Key 使重发安全");
        api.MapGet(ApiRoutes.Values, (HttpRequest r, string org, string period, IPipelineHttpApi h, CancellationToken ct) => h.GetValuesAsync(r, org, period, ct))
            .Describe(Collect, "本期已存数值及来源；ETag 为数值版本");
        api.MapGet(ApiRoutes.Status, (HttpRequest r, string org, string period, IPipelineHttpApi h, CancellationToken ct) => h.GetStatusAsync(r, org, period, ct))
            .Describe(Consolidate, "辖区填报情况：按直接下级汇总（市看区县、区县看乡镇），乡镇列出各村；市级数据来自各区县的汇总（asOf 为数据截至时间）");
        api.MapGet(ApiRoutes.StatusMissing, (HttpRequest r, string org, string period, StatusApi h, CancellationToken ct) => h.GetMissingCsvAsync(r, org, period, ct))
            .Describe(Consolidate, "催报名单：辖区内尚未填报的村（社区），CSV（UTF-8 带 BOM，Excel/WPS 可直接打开）");
        api.MapGet(ApiRoutes.Reports, (HttpRequest r, string org, string period, ReportListApi h, CancellationToken ct) => h.GetAsync(r, org, period, ct))
            .Describe(Consolidate, "本级各部门汇总表清单：生成时间、大小、是否待更新");
        api.MapGet(ApiRoutes.Report, (HttpRequest r, string org, string period, string template, IPipelineHttpApi h, CancellationToken ct) => h.GetReportAsync(r, org, period, template, ct))
            .Describe(Consolidate, "下载本级汇总表（.xlsx）");
        api.MapPost(ApiRoutes.BuildReport, (HttpRequest r, string org, string period, string template, IPipelineHttpApi h, CancellationToken ct) => h.BuildReportAsync(r, org, period, template, ct))
            .Describe(Consolidate, "重新生成本级汇总表（管理员）");
        api.MapGet(ApiRoutes.Burden, (HttpRequest r, string org, string period, IPipelineHttpApi h, CancellationToken ct) => h.GetBurdenAsync(r, org, period, ct))
            .Describe(Govern, "减负统计：本级及各直属下级的填报项数与重合（市级取自各区县汇总时保存的统计）");
        api.MapPost(ApiRoutes.Feedback, (HttpRequest r, string org, string period, IPipelineHttpApi h, CancellationToken ct) => h.PostFeedbackAsync(r, org, period, ct))
            .Describe(Govern, "下评上：村（社区）评价各部门报表负担");
        api.MapPost(ApiRoutes.TemplateCheck, (HttpRequest r, TemplateCheckApi h, CancellationToken ct) => h.CheckAsync(r, ct))
            .Describe(Admit, "报表设计检查：逐列判断一表已有、可派生、近似或新增，并计算负担");
        api.MapGet(ApiRoutes.TemplateProposals, (HttpRequest r, Application.Admission.AdmissionApi h, CancellationToken ct) => h.ListAsync(r, ct))
            .Describe(Admit, "报表准入申请列表", ("status", "pending | admitted | rejected | returned"));
        api.MapPost(ApiRoutes.TemplateProposalCreate, (HttpRequest r, Application.Admission.AdmissionApi h, CancellationToken ct) => h.ProposeAsync(r, ct))
            .Describe(Admit, "部门提出新报表或修改报表（带 dept 的管理员）");
        api.MapGet(ApiRoutes.TemplateProposal, (HttpRequest r, string id, Application.Admission.AdmissionApi h, CancellationToken ct) => h.GetAsync(r, id, ct))
            .Describe(Admit, "一项报表准入申请");
        api.MapPost(ApiRoutes.TemplateProposalDecision, (HttpRequest r, string id, Application.Admission.AdmissionApi h, CancellationToken ct) => h.DecideAsync(r, id, ct))
            .Describe(Admit, "减负办决定：准入（发布新目录版本）、不予准入或退回（市级管理员）");
        api.MapGet(ApiRoutes.Templates, (HttpRequest r, Application.Admission.AdmissionApi h, CancellationToken ct) => h.TemplatesAsync(r, ct))
            .Describe(Admit, "报表清单：某统计期施行的报表及每村负担", period);
        api.MapGet(ApiRoutes.TemplateHistory, (HttpRequest r, string id, Application.Admission.AdmissionApi h, CancellationToken ct) => h.HistoryAsync(r, id, ct))
            .Describe(Admit, "一张报表的准入历史");
        api.MapGet(ApiRoutes.Quality, (HttpRequest r, string org, string period, QualityApi h, CancellationToken ct) => h.GetQualityAsync(r, org, period, ct))
            .Describe(Govern, "数据质量：按下级单位和检查项计数，区县及以下列出超出合理范围、变动过大或明显异常的数值（分页）", ("pageSize", "每页条数，1–1000，默认 200"), ("continuationToken", "下一页"));
        api.MapGet(ApiRoutes.Approval, (HttpRequest r, string org, string period, ApprovalApi h, CancellationToken ct) => h.GetAsync(r, org, period, ct))
            .Describe(Govern, "本级及直接下级的审核状态与审核记录，整个辖区的审核通过与退回数");
        api.MapPost(ApiRoutes.ApprovalStep, (HttpRequest r, string org, string period, ApprovalApi h, CancellationToken ct) => h.PostAsync(r, org, period, ct))
            .Describe(Govern, "审核通过（锁定）、退回或解锁（须填原因）");
        api.MapGet(ApiRoutes.Periods, (HttpRequest r, string org, FormsApi h, CancellationToken ct) => h.GetPeriodsAsync(r, org, ct))
            .Describe(Collect, "近期各统计期的填报状态（未报、已报、已退回、已锁定、逾期）与当前应报的统计期");
        api.MapGet(ApiRoutes.Series, (HttpRequest r, string org, string field, SeriesApi h, CancellationToken ct) => h.GetAsync(r, org, field, ct))
            .Describe(Consolidate, "指标趋势与下级对比（一次请求）", ("to", "截止统计期"), ("periods", "期数，1–24，默认 6"));
        api.MapGet(ApiRoutes.History, (HttpRequest r, string org, string period, HistoryApi h, CancellationToken ct) => h.GetAsync(r, org, period, ct))
            .Describe(Govern, "数值修改记录（分页）", ("field", "只看一个指标"), ("continuationToken", "下一页"));
        api.MapPost(ApiRoutes.Prefill, (HttpRequest r, string dept, string period, PrefillApi h, CancellationToken ct) => h.PushAsync(r, dept, period, ct))
            .Describe(Departments, "带数下发：部门把已掌握的数据预填到各村（CSV 或 .xlsx）", ("dryRun", "true 时只预览将改变什么"));
        api.MapGet(ApiRoutes.AccessLog, (HttpRequest r, AccessLogApi h, CancellationToken ct) => h.GetAsync(r, ct))
            .Describe(Departments, "数据访问记录：谁在何时读了哪些村的数据", ("org", "单位"), ("from", "起始时间"), ("to", "截止时间"), ("pageSize", "每页条数"), ("continuationToken", "下一页"));
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

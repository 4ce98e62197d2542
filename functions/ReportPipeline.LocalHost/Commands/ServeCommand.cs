using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReportPipeline.LocalHost.Commands;

public static class ServeCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Address to listen on", DefaultValueFactory = _ => LocalHostRuntime.DefaultUrl };
        var command = new Command("serve", "Serve the contract's routes on http://127.0.0.1:7071 with blob ingestion and the consolidation timer") { url };
        command.SetAction(async (parse, ct) =>
        {
            await using var runtime = await LocalHostRuntime.CreateAsync([], parse.GetValue(url), runWorkers: true, cancellationToken: ct);
            var logger = runtime.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ReportPipeline.LocalHost");
            logger.LogInformation(
                "Serving {Url}/api with {Storage}; press Ctrl+C to stop",
                parse.GetValue(url), runtime.UsesEmbeddedStorage ? "the embedded Azurite (in memory: data is gone when the host stops)" : "the configured ReportStorage");
            await runtime.App.RunAsync(ct);
            return 0;
        });
        return command;
    }
}

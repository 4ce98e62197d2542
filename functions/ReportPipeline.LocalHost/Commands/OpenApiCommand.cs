using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>
/// Writes the API's OpenAPI document as the local host generates it from its route table: <c>docs/openapi.json</c>, the
/// copy the Functions app serves and a test compares with the live one.
/// </summary>
public static class OpenApiCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "Where to write the document", DefaultValueFactory = _ => new FileInfo(Path.Combine("docs", "openapi.json")) };
        var command = new Command("openapi", "Write the API's OpenAPI 3.1 document (docs/openapi.json)") { output };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(output)!;
            var document = await GenerateAsync(ct);
            file.Directory?.Create();
            await File.WriteAllBytesAsync(file.FullName, document, ct);
            Console.WriteLine($"{file.FullName}: {document.Length:N0} B");
            return 0;
        });
        return command;
    }

    /// <summary>Starts the local host on a free port (embedded storage unless one is configured) and asks it for the document.</summary>
    public static async Task<byte[]> GenerateAsync(CancellationToken cancellationToken)
    {
        await using var runtime = await LocalHostRuntime.CreateAsync([], $"http://127.0.0.1:{DemoCommand.FreePort()}", runWorkers: false, minimumLevel: LogLevel.Warning, cancellationToken: cancellationToken);
        await runtime.App.StartAsync(cancellationToken);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(runtime.BaseAddress) };
            return await http.GetByteArrayAsync(ApiContract.DocumentPath, cancellationToken);
        }
        finally
        {
            await runtime.App.StopAsync(CancellationToken.None);
        }
    }
}

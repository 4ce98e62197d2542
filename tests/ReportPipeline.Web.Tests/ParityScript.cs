using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// Runs one of the parity scripts beside these tests with node: the script loads a module of the web app, answers every
/// case of the fixture (written to a temporary file) and prints the answers as a JSON array.
/// </summary>
internal static class ParityScript
{
    /// <param name="script">The script's file name in this folder, e.g. <c>expression-parity.mjs</c>.</param>
    /// <param name="module">The web app's module under <c>web/src</c>, e.g. <c>validate.js</c>.</param>
    public static async Task<JsonArray> RunAsync(string script, string module, string fixture)
    {
        var root = BrowserHostFixture.RepositoryRoot();
        var casesPath = Path.Combine(Path.GetTempPath(), $"{Path.GetFileNameWithoutExtension(script)}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(casesPath, fixture);
        try
        {
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(root, "tests", "ReportPipeline.Web.Tests", script));
            start.ArgumentList.Add(Path.Combine(root, "web", "src", module));
            start.ArgumentList.Add(casesPath);
            using var node = Process.Start(start) ?? throw new InvalidOperationException("node could not be started (Node.js is required, as for the bundle).");
            var output = node.StandardOutput.ReadToEndAsync();
            var errors = node.StandardError.ReadToEndAsync();
            await node.WaitForExitAsync();
            Assert.True(node.ExitCode == 0, $"node exited with {node.ExitCode}: {await errors}");
            return JsonNode.Parse(await output)!.AsArray();
        }
        finally
        {
            File.Delete(casesPath);
        }
    }
}

namespace ReportPipeline.Functions.Tests;

/// <summary>
/// The infrastructure compiles and passes the linter (rules in infra/bicepconfig.json) with the pinned Bicep CLI, so a
/// broken or sloppy template fails here rather than in <c>azd up</c>.
/// </summary>
public sealed class BicepTests
{
    [Fact]
    public void Main_bicep_builds_without_diagnostics()
    {
        var build = Bicep.Build;

        Assert.True(build.ExitCode == 0, $"bicep build failed ({build.ExitCode}): {build.Errors}");
        Assert.Empty(Bicep.DiagnosticLines(build.Errors));
        Assert.All(["identity", "storage", "monitoring", "rbac", "function-app", "eventgrid", "web", "alerts", "workbook"],
            module => Assert.NotEmpty(CompiledTemplate.Resources(Bicep.Template.Module(module))));
    }

    [Fact]
    public void Main_bicep_has_no_lint_findings()
    {
        var lint = Bicep.Lint;

        Assert.True(lint.ExitCode == 0 && Bicep.DiagnosticLines(lint.Diagnostics).Count == 0,
            $"bicep lint {Bicep.MainFile} ({lint.ExitCode}):\n{lint.Diagnostics}");
    }

    [Fact]
    public void Lint_findings_are_recognised_in_the_CLIs_output()
    {
        // The shape of a finding as the CLI prints it; if a new CLI changed it, the check above would pass vacuously.
        const string output = "/repo/infra/app/web.bicep(3,7) : Error no-unused-params: Parameter \"x\" is declared but never used. [https://aka.ms/bicep/linter-diagnostics#no-unused-params]\n";

        Assert.Single(Bicep.DiagnosticLines(output));
    }
}

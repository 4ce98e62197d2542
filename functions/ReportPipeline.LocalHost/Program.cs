using System.CommandLine;
using ReportPipeline.LocalHost.Commands;

// One executable, the verbs of the contract: demo, serve, seed, consolidate, token, bench, catalog check, openapi, and work
// (a pure consolidation queue worker process against a given storage).
var root = new RootCommand("ReportPipeline 一表通 — 本地主机与命令行工具 (local host and CLI)");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(SeedCommand.Create());
root.Subcommands.Add(ConsolidateCommand.Create());
root.Subcommands.Add(TokenCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(CatalogCommand.Create());
root.Subcommands.Add(OpenApiCommand.Create());
root.Subcommands.Add(WorkCommand.Create());
return await root.Parse(args).InvokeAsync();

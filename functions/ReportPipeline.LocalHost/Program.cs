using System.CommandLine;
using ReportPipeline.LocalHost.Commands;

// One executable, the verbs of the contract: demo, serve, seed, consolidate, token, bench, catalog check, and openapi.
var root = new RootCommand("ReportPipeline 一表通 — 本地主机与命令行工具 (local host and CLI)");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(SeedCommand.Create());
root.Subcommands.Add(ConsolidateCommand.Create());
root.Subcommands.Add(TokenCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(CatalogCommand.Create());
root.Subcommands.Add(OpenApiCommand.Create());
return await root.Parse(args).InvokeAsync();

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ReportPipeline.LocalHost;

/// <summary>
/// The local host's stand-in for Application Insights: listens to the <c>ReportPipeline</c> meter (the pipeline's and the
/// storage client's instruments), keeps running totals, and logs them as one structured line a minute when they moved.
/// </summary>
public sealed class ConsoleMetrics : BackgroundService
{
    private const string MeterName = "ReportPipeline";
    private readonly ConcurrentDictionary<string, double> _totals = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();
    private readonly ILogger<ConsoleMetrics> _logger;
    private readonly TimeProvider _time;

    public ConsoleMetrics(ILogger<ConsoleMetrics> logger, TimeProvider time)
    {
        (_logger, _time) = (logger, time);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument, value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(instrument, value));
        _listener.Start();
    }

    /// <summary>Totals so far: counters summed; histograms as count and sum (<c>name.count</c>, <c>name.sum</c>).</summary>
    public IReadOnlyDictionary<string, double> Snapshot() => new SortedDictionary<string, double>(_totals, StringComparer.Ordinal);

    public string Format() => string.Join(", ", Snapshot().Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:0.#}")));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = "";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var line = Format();
            if (line != last && line.Length > 0)
            {
                _logger.LogInformation("Metrics {Metrics}", line);
                last = line;
            }
        }
    }

    public override void Dispose()
    {
        _listener.Dispose();
        base.Dispose();
    }

    private void Add(Instrument instrument, double value)
    {
        if (instrument is Histogram<double> or Histogram<long> or Histogram<int>)
        {
            _totals.AddOrUpdate(instrument.Name + ".count", 1, (_, v) => v + 1);
            _totals.AddOrUpdate(instrument.Name + ".sum", value, (_, v) => v + value);
        }
        else
        {
            _totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value);
        }
    }
}

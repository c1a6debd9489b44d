import Testing
@testable import Metrics

/// A page as Synapse's processes serve it (prometheus_client's text format 0.0.4).
private let page = """
    # HELP synapse_build_info Build information
    # TYPE synapse_build_info gauge
    synapse_build_info{osversion="Linux 6.1",pythonversion="CPython 3.11.7",rustcversion="1.95.0",version="1.157.1"} 1.0
    # HELP process_resident_memory_bytes Resident memory size in bytes.
    # TYPE process_resident_memory_bytes gauge
    process_resident_memory_bytes 1.2345344e+08
    process_start_time_seconds 1.76468e+09
    process_cpu_seconds_total 12.5
    process_open_fds 42.0
    python_twisted_reactor_tick_time_bucket{le="0.001"} 10.0
    python_twisted_reactor_tick_time_sum 1.5
    python_twisted_reactor_tick_time_count 300.0
    synapse_replication_tcp_protocol_inbound_commands_total{command="RDATA",name="replication-conn",server_name="hs"} 7.0
    synapse_http_server_requests_received_total{method="GET",servlet="x"} 99.0

    """

@Suite struct PrometheusReaderTests {
    let wanted: Set<String> = ["synapse_build_info", "process_resident_memory_bytes", "process_start_time_seconds",
                               "python_twisted_reactor_tick_time_sum", "synapse_replication_tcp_protocol_inbound_commands_total"]

    @Test func keepsOnlyTheSamplesAskedFor() {
        var reader = PrometheusReader(names: wanted)
        reader.feed(page)
        reader.finish()
        #expect(reader.malformed == 0)
        #expect(reader.samples.map(\.name) == ["synapse_build_info", "process_resident_memory_bytes",
                                               "process_start_time_seconds", "python_twisted_reactor_tick_time_sum",
                                               "synapse_replication_tcp_protocol_inbound_commands_total"])
        #expect(reader.samples[0].labels["version"] == "1.157.1")
        #expect(reader.samples[1].value == 123_453_440)
        #expect(reader.samples[4].labels == ["command": "RDATA", "name": "replication-conn", "server_name": "hs"])
    }

    @Test func chunksMayEndAnywhere() {
        for size in [1, 2, 3, 7, 64] {
            var reader = PrometheusReader(names: wanted)
            var rest = Substring(page)
            while !rest.isEmpty {
                reader.feed(String(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            reader.finish()
            #expect(reader.samples.count == 5, "chunks of \(size)")
            #expect(reader.samples[0].labels["version"] == "1.157.1")
        }
    }

    @Test func escapesSpecialValuesAndTimestamps() {
        var reader = PrometheusReader(names: ["m"])
        reader.feed("m{a=\"x\\\"y\\\\z\\nw\",b=\"\"} +Inf 1700000000000\nm -Inf\nm NaN\nm{a=\"1\",} 2\nm 3")
        reader.finish()
        #expect(reader.samples.count == 5)
        #expect(reader.samples[0].labels == ["a": "x\"y\\z\nw", "b": ""])
        #expect(reader.samples[0].value == .infinity)
        #expect(reader.samples[1].value == -.infinity)
        #expect(reader.samples[2].value.isNaN)
        #expect(reader.samples[3].labels == ["a": "1"])
        #expect(reader.samples[4].value == 3)
    }

    @Test func badLinesAreCountedAndSkipped() {
        var reader = PrometheusReader(names: ["m"])
        reader.feed("m{a=\"unclosed} 1\nm{a} 1\nm one\n{a=\"b\"} 1\nm\nm{=\"x\"} 1\n9m 1\nm 4\n")
        reader.finish()
        #expect(reader.samples == [MetricSample("m", [:], 4)])
        #expect(reader.malformed == 7)
    }

    @Test func aVeryLongLineIsSkippedWithoutKeepingIt() {
        var reader = PrometheusReader(names: ["m"])
        reader.feed("m{a=\"" + String(repeating: "x", count: PrometheusReader.maximumLine * 2))
        reader.feed("\"} 1\nm 2\n")
        reader.finish()
        #expect(reader.samples == [MetricSample("m", [:], 2)])
        #expect(reader.malformed == 1)
    }

    @Test func otherMetricsAreNotDecoded() {
        var reader = PrometheusReader(names: ["m"])
        // A name that only starts like a wanted one, and garbage after a name nobody asked for.
        reader.feed("m_total 1\nother{{{ garbage\nm 5\n")
        reader.finish()
        #expect(reader.samples == [MetricSample("m", [:], 5)])
        #expect(reader.malformed == 0)
    }

    @Test func windowsLineEndsReadTheSame() {
        var reader = PrometheusReader(names: ["m"])
        reader.feed("m{a=\"b\"} 5\r\nm 6\r\n")
        reader.finish()
        #expect(reader.samples == [MetricSample("m", ["a": "b"], 5), MetricSample("m", [:], 6)])
    }

    @Test func aLongLineIsSkippedWhereverTheChunksEnd() {
        let long = "m{a=\"" + String(repeating: "x", count: PrometheusReader.maximumLine) + "\"} 1\nm 2\n"
        var whole = PrometheusReader(names: ["m"])
        whole.feed(long)
        whole.finish()
        #expect(whole.samples == [MetricSample("m", [:], 2)] && whole.malformed == 1)
    }
}

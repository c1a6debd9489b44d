import TLS
import Testing
@testable import Replication

@Suite struct RedisEndpointTests {
    @Test func parsesTheURLForms() throws {
        #expect(try RedisEndpoint.parse("redis://127.0.0.1:6380")
                == RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 6380)))
        #expect(try RedisEndpoint.parse("redis://localhost")
                == RedisEndpoint(address: .tcp(host: "localhost", port: 6379)))
        #expect(try RedisEndpoint.parse("redis://syn:p%40ss@redis.internal:7000/2")
                == RedisEndpoint(address: .tcp(host: "redis.internal", port: 7000), username: "syn", password: "p@ss"))
        #expect(try RedisEndpoint.parse("redis://:secret@[::1]:6379")
                == RedisEndpoint(address: .tcp(host: "::1", port: 6379), password: "secret"))
        #expect(try RedisEndpoint.parse("redis://secret@h")
                == RedisEndpoint(address: .tcp(host: "h", port: 6379), password: "secret"))
        #expect(try RedisEndpoint.parse("unix:///run/redis/redis.sock")
                == RedisEndpoint(address: .unix(path: "/run/redis/redis.sock")))
        #expect(try RedisEndpoint.parse("rediss://syn:pw@redis.internal:6380")
                == RedisEndpoint(address: .tcp(host: "redis.internal", port: 6380), username: "syn", password: "pw",
                                 tls: TLSSettings()))
    }

    @Test func refusesWhatItCannotDo() {
        #expect(throws: RedisEndpointError.self) { try RedisEndpoint.parse("rediss://h:99999") }
        #expect(throws: RedisEndpointError.self) { try RedisEndpoint.parse("http://h") }
        #expect(throws: RedisEndpointError.self) { try RedisEndpoint.parse("redis://h:99999") }
        #expect(throws: RedisEndpointError.self) { try RedisEndpoint.parse("unix://relative") }
    }

    @Test func theDescriptionNeverHoldsThePassword() throws {
        let endpoint = try RedisEndpoint.parse("redis://user:hunter2@h:1")
        #expect(endpoint.description == "h:1")
        #expect(!"\(endpoint)".contains("hunter2"))
    }

    @Test func theDescriptionSaysTLSAndLoudlyWhenUnverified() throws {
        var endpoint = try RedisEndpoint.parse("rediss://:hunter2@h:1")
        #expect(endpoint.description == "h:1 (TLS)")
        endpoint.tls?.verifyServer = false
        #expect(endpoint.description == "h:1 (TLS UNVERIFIED)")
    }
}

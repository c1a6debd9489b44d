import Testing
@testable import Postgres

@Suite struct PGConnectionTests {
    @Test func libpqMessagesBecomeOneLine() {
        let message = "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n"
        #expect(PGConnection.clean(message) == "connection to server at \"127.0.0.1\", port 1 failed: Connection refused "
                + "Is the server running on that host and accepting TCP/IP connections?")
    }
}

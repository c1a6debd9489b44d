import Testing
import NaturalOrder

@Suite struct NaturalOrderTests {
    @Test func numbersInNamesCompareAsNumbers() {
        let names = ["client_reader10", "client_reader2", "master", "client_reader1", "client_reader", "event_persister9",
                     "event_persister10", "client_reader02", "a1b10", "a1b9", "federation_sender"]
        #expect(names.sorted(by: NaturalOrder.less) == [
            "a1b9", "a1b10", "client_reader", "client_reader1", "client_reader02", "client_reader2",
            "client_reader10", "event_persister9", "event_persister10", "federation_sender", "master",
        ])
    }

    @Test func theOrderIsStrictAndTotal() {
        let names = ["w1", "w01", "w001", "w", "w0", "w00", "x", "", "10", "9", "09"]
        for a in names {
            #expect(!NaturalOrder.less(a, a))
            for b in names where a != b {
                #expect(NaturalOrder.less(a, b) != NaturalOrder.less(b, a), "\(a) \(b)")
            }
        }
        #expect(NaturalOrder.less("99999999999999999999999", "100000000000000000000000"))
    }
}

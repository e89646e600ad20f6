import Simulation
import Testing

// Every expected value below was derived by hand from the rules in
// shared/reference/simulation-semantics.md §5 and §9; the derivation is in the comments.

/// The 4-level fixture: CR3 = 0x1000, PML4 at 0x1000, PDPT at 0x2000, PD at 0x3000, PT at 0x4000.
///
/// va = 0x0000_7f68_c8bf_fabc
///    = 0 111111110 110100011 001000101 111111111 101010111100 (bits 47:39 | 38:30 | 29:21 | 20:12 | 11:0)
///    → PML4 index 0x0fe, PDPT 0x1a3, PD 0x045, PT 0x1ff, offset 0xabc.
/// Entry addresses: 0x1000 + 8·0xfe = 0x17f0; 0x2000 + 8·0x1a3 = 0x2d18; 0x3000 + 8·0x45 = 0x3228;
/// 0x4000 + 8·0x1ff = 0x4ff8. The PTE maps frame 0x12_3456_7000, so pa = 0x12_3456_7abc.
private enum Fixture {
    static let va: UInt64 = 0x0000_7f68_c8bf_fabc
    static let pml4e: UInt64 = 0x17f0
    static let pdpte: UInt64 = 0x2d18
    static let pde: UInt64 = 0x3228
    static let pte: UInt64 = 0x4ff8
    /// P | RW | US = 0x7.
    static let entries: [UInt64: UInt64] = [
        pml4e: 0x2007, pdpte: 0x3007, pde: 0x4007, pte: 0x0000_0012_3456_7007,
    ]

    static func config(
        _ changes: [UInt64: UInt64] = [:], wp: Bool = true, nxe: Bool = true, maxPhys: Int = 46,
        tlb: TLBConfiguration? = nil
    ) -> X86PagingConfiguration {
        X86PagingConfiguration(
            cr3: 0x1000, writeProtect: wp, noExecute: nxe, physicalAddressBits: maxPhys,
            entries: entries.merging(changes) { $1 }, tlb: tlb)
    }

    static func translate(
        _ access: X86Access, _ changes: [UInt64: UInt64] = [:], wp: Bool = true, nxe: Bool = true,
        maxPhys: Int = 46
    ) throws -> X86Translation {
        var walker = try X86PageWalker(config(changes, wp: wp, nxe: nxe, maxPhys: maxPhys))
        return walker.translate(access)
    }
}

private func code(_ translation: X86Translation) -> UInt64? {
    translation.errorCode?.value
}

@Suite struct X86WalkTests {
    @Test func fourKiBWalkReadsEveryLevel() throws {
        let t = try Fixture.translate(X86Access(address: Fixture.va, kind: .read))
        #expect(t.result == .ok)
        #expect(t.steps.map(\.level) == [.pml4, .pdpt, .pd, .pt])
        #expect(t.steps.map(\.index) == [0xfe, 0x1a3, 0x45, 0x1ff])
        #expect(t.steps.map(\.tableBase) == [0x1000, 0x2000, 0x3000, 0x4000])
        #expect(t.steps.map(\.entryAddress) == [0x17f0, 0x2d18, 0x3228, 0x4ff8])
        #expect(t.steps.map(\.entry) == [0x2007, 0x3007, 0x4007, 0x12_3456_7007])
        #expect(t.steps.map(\.present) == [true, true, true, true])
        #expect(t.steps.map(\.isLeaf) == [false, false, false, true])
        #expect(t.steps.map(\.physicalBase) == [0x2000, 0x3000, 0x4000, 0x12_3456_7000])
        #expect(t.steps[3].flags.names == ["P", "RW", "US"])
        #expect(t.physicalAddress == 0x12_3456_7abc)
        #expect(t.pageSize == 4096)
        #expect(t.permissions?.writable == true)
        #expect(t.permissions?.user == true)
        #expect(t.permissions?.executable == true)
        #expect(t.errorCode == nil && t.cr2 == nil && t.fault == nil)
        #expect(t.fields.map(\.name) == ["sign", "PML4", "PDPT", "PD", "PT", "offset"])
        #expect(t.fields.map(\.value) == [0, 0xfe, 0x1a3, 0x45, 0x1ff, 0xabc])
        #expect(t.fields.map(\.highBit) == [63, 47, 38, 29, 20, 11])
        #expect(t.fields.map(\.lowBit) == [48, 39, 30, 21, 12, 0])
        // A read sets A (bit 5, 0x20) in every entry and D in none.
        #expect(
            t.updates
                == [
                    X86EntryUpdateExpectation(0x17f0, 0x2007, 0x2027),
                    X86EntryUpdateExpectation(0x2d18, 0x3007, 0x3027),
                    X86EntryUpdateExpectation(0x3228, 0x4007, 0x4027),
                    X86EntryUpdateExpectation(0x4ff8, 0x12_3456_7007, 0x12_3456_7027),
                ].map(\.update))
    }

    /// PDE = 0x4000_0087: P RW US PS, frame 0x4000_0000 (2 MiB aligned). pa = frame | va[20:0]
    /// = 0x4000_0000 | 0x1f_fabc = 0x401f_fabc.
    @Test func twoMiBPage() throws {
        let t = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pde: 0x4000_0087])
        #expect(t.result == .ok)
        #expect(t.steps.count == 3)
        #expect(t.steps[2].isLeaf && t.steps[2].flags.pageSize)
        #expect(t.physicalAddress == 0x401f_fabc)
        #expect(t.pageSize == 2 << 20)
        #expect(t.fields.map(\.name) == ["sign", "PML4", "PDPT", "PD", "offset"])
        #expect(t.fields.last?.value == 0x1f_fabc)
        #expect(t.fields.last?.highBit == 20)
        // PAT is bit 12 in a large leaf: not an address bit, not reserved.
        let pat = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pde: 0x4000_1087])
        #expect(pat.result == .ok)
        #expect(pat.physicalAddress == 0x401f_fabc)
        #expect(pat.steps[2].flags.pat)
        #expect(pat.steps[2].flags.names == ["P", "RW", "US", "PS", "PAT"])
    }

    /// PDPTE = 0x8000_0087: a 1 GiB page at 0x8000_0000. va[29:0] = 0x45 << 21 | 0x1f_fabc = 0x8bf_fabc,
    /// so pa = 0x88bf_fabc.
    @Test func oneGiBPage() throws {
        let t = try Fixture.translate(X86Access(address: Fixture.va, kind: .write), [Fixture.pdpte: 0x8000_0087])
        #expect(t.result == .ok)
        #expect(t.steps.map(\.level) == [.pml4, .pdpt])
        #expect(t.physicalAddress == 0x88bf_fabc)
        #expect(t.pageSize == 1 << 30)
        #expect(t.fields.map(\.name) == ["sign", "PML4", "PDPT", "offset"])
        // A write sets A in the PML4E, and A and D (0x60) in the PDPTE leaf.
        #expect(
            t.updates == [
                X86EntryUpdateExpectation(0x17f0, 0x2007, 0x2027).update,
                X86EntryUpdateExpectation(0x2d18, 0x8000_0087, 0x8000_00e7).update,
            ])
    }

    @Test func canonicalAddressesDependOnTheMode() throws {
        let address: UInt64 = 0x0000_8000_0000_0000
        // 4-level: bit 47 = 1 but bits 63:48 = 0 → #GP, nothing walked, no CR2.
        let gp = try Fixture.translate(X86Access(address: address))
        #expect(gp.result == .generalProtection)
        #expect(gp.fault == .nonCanonical)
        #expect(gp.steps.isEmpty && gp.errorCode == nil && gp.cr2 == nil)
        #expect(gp.reason.contains("0x0000800000000000"))
        #expect(!X86PagingMode.fourLevel.isCanonical(address))
        #expect(X86PagingMode.fourLevel.isCanonical(0xffff_8000_0000_0000))
        #expect(!X86PagingMode.fourLevel.isCanonical(0xff00_0000_0000_0000))

        // LA57: bits 63:56 = 0 = bit 56 → canonical. PML5 index (56:48) = 0, PML4 index (47:39) = 0x100.
        // Empty memory: the PML5E at CR3 + 0 is not present → #PF with P = 0, not #GP.
        #expect(X86PagingMode.fiveLevel.isCanonical(address))
        #expect(X86PagingMode.fiveLevel.isCanonical(0xff00_0000_0000_0000))
        #expect(!X86PagingMode.fiveLevel.isCanonical(0x0100_0000_0000_0000))
        var empty = try X86PageWalker(X86PagingConfiguration(mode: .fiveLevel, cr3: 0x1000, entries: [:]))
        let pf = empty.translate(X86Access(address: address))
        #expect(pf.result == .pageFault)
        #expect(pf.fault == .notPresent(.pml5))
        #expect(pf.steps.map(\.entryAddress) == [0x1000])
        #expect(code(pf) == 0)
        #expect(pf.cr2 == address)
        let gp57 = empty.translate(X86Access(address: 0x0100_0000_0000_0000))
        #expect(gp57.result == .generalProtection)
        // PS is reserved in a PML5E as in a PML4E.
        var ps5 = try X86PageWalker(X86PagingConfiguration(mode: .fiveLevel, cr3: 0x1000, entries: [0x1000: 0x2087]))
        #expect(ps5.translate(X86Access(address: address)).fault == .reservedBits(.pml5, bits: [7]))

        // LA57 success: PML5E 0x1000 → 0x2000; PML4E 0x2000 + 8·0x100 = 0x2800 → 0x3000;
        // PDPTE 0x3000 + 0 → 1 GiB page at 0x4000_0000; pa = 0x4000_0000 + va[29:0] = 0x4000_0000.
        var la57 = try X86PageWalker(
            X86PagingConfiguration(
                mode: .fiveLevel, cr3: 0x1000, entries: [0x1000: 0x2003, 0x2800: 0x3003, 0x3000: 0x4000_0083]))
        let ok = la57.translate(X86Access(address: address + 0x1234))
        #expect(ok.result == .ok)
        #expect(ok.steps.map(\.level) == [.pml5, .pml4, .pdpt])
        #expect(ok.steps.map(\.index) == [0, 0x100, 0])
        #expect(ok.steps.map(\.entryAddress) == [0x1000, 0x2800, 0x3000])
        #expect(ok.physicalAddress == 0x4000_1234)
        #expect(ok.fields.map(\.name) == ["sign", "PML5", "PML4", "PDPT", "offset"])
        #expect(ok.fields.map(\.highBit) == [63, 56, 47, 38, 29])
    }

    /// A user write (error code W/R = 1, U/S = 1) hits a not-present entry at each level in turn.
    @Test(arguments: [
        (Fixture.pml4e, X86PagingLevel.pml4, 1),
        (Fixture.pdpte, X86PagingLevel.pdpt, 2),
        (Fixture.pde, X86PagingLevel.pd, 3),
        (Fixture.pte, X86PagingLevel.pt, 4),
    ])
    func notPresentAtEachLevel(entryAddress: UInt64, level: X86PagingLevel, walked: Int) throws {
        let t = try Fixture.translate(X86Access(address: Fixture.va, kind: .write, user: true), [entryAddress: 0])
        #expect(t.result == .pageFault)
        #expect(t.fault == .notPresent(level))
        #expect(t.steps.count == walked)
        #expect(t.steps.last?.present == false)
        #expect(t.steps.last?.entryAddress == entryAddress)
        let error = try #require(t.errorCode)
        #expect(!error.present && error.write && error.user && !error.reservedBit && !error.instructionFetch)
        #expect(error.value == 0b110)
        #expect(t.cr2 == Fixture.va)
        #expect(t.updates.isEmpty)
        #expect(t.physicalAddress == nil)
        #expect(t.reason.hasPrefix("#PF (error code 0x6): \(level.entryName) at"))
    }

    @Test func physicalAddressBitsAboveMaxPhysAddrAreReserved() throws {
        // PTE with bit 46 set: reserved with MAXPHYADDR = 46 → #PF P = 1, RSVD = 1 (read, supervisor: 0b1001).
        let pte = UInt64(1) << 46 | 0x12_3456_7007
        let t = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pte: pte])
        #expect(t.result == .pageFault)
        #expect(t.fault == .reservedBits(.pt, bits: [46]))
        #expect(code(t) == 0b1001)
        #expect(t.errorCode?.present == true && t.errorCode?.reservedBit == true)
        #expect(t.reason.contains("physical-address bits 51:46"))
        // With MAXPHYADDR = 52 the same bit is an address bit: pa = 0x4012_3456_7abc.
        let wide = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pte: pte], maxPhys: 52)
        #expect(wide.result == .ok)
        #expect(wide.physicalAddress == 0x4012_3456_7abc)
        // A table pointer with bit 51 set faults at its own level.
        let pd = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pde: UInt64(1) << 51 | 0x4007])
        #expect(pd.fault == .reservedBits(.pd, bits: [51]))
        #expect(pd.steps.count == 3)
    }

    @Test func notPresentComesBeforeReservedBits() throws {
        let pte = UInt64(1) << 46 | 0x12_3456_7006  // P = 0
        let t = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pte: pte])
        #expect(t.fault == .notPresent(.pt))
        #expect(code(t) == 0)
    }

    @Test func largePageReservedBits() throws {
        // Bit 13 of a 2 MiB PDE (bits 20:13 reserved).
        let pde13 = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pde: 0x4000_2087])
        #expect(pde13.fault == .reservedBits(.pd, bits: [13]))
        #expect(code(pde13) == 0b1001)
        #expect(pde13.reason.contains("bits 20:13 of a 2 MiB page entry"))
        let pde20 = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pde: 0x4010_2087])
        #expect(pde20.fault == .reservedBits(.pd, bits: [13, 20]))
        // The same bit in a PDE that points to a page table is an address bit: no fault.
        let table = try Fixture.translate(
            X86Access(address: Fixture.va), [Fixture.pde: 0x6007, 0x6ff8: 0x5007])
        #expect(table.result == .ok && table.physicalAddress == 0x5abc)
        // Bits 29:13 of a 1 GiB PDPTE.
        let pdpte29 = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pdpte: 0xa000_0087])
        #expect(pdpte29.fault == .reservedBits(.pdpt, bits: [29]))
        let pdpte13 = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pdpte: 0x8000_2087])
        #expect(pdpte13.fault == .reservedBits(.pdpt, bits: [13]))
        // With MAXPHYADDR = 52 no address bit is reserved, but bits 20:13 of a 2 MiB PDE still are.
        let wide = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pde: 0x4000_2087], maxPhys: 52)
        #expect(wide.fault == .reservedBits(.pd, bits: [13]))
        #expect(!wide.reason.contains("physical-address"))
        // PS in a PML4E is reserved.
        let ps = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pml4e: 0x2087])
        #expect(ps.fault == .reservedBits(.pml4, bits: [7]))
        #expect(ps.reason.contains("PS must be 0 in a PML4E"))
    }

    @Test func userAccessToASupervisorPage() throws {
        // PDE U/S = 0 (0x4003): the user read faults with P = 1, U/S = 1 → 0b101.
        let user = try Fixture.translate(X86Access(address: Fixture.va, user: true), [Fixture.pde: 0x4003])
        #expect(user.result == .pageFault)
        #expect(user.fault == .supervisorOnly(.pd))
        #expect(code(user) == 0b101)
        #expect(user.steps.count == 4)
        #expect(user.permissions?.user == false && user.permissions?.supervisorLevel == .pd)
        #expect(user.updates.isEmpty)
        // The supervisor read succeeds.
        let kernel = try Fixture.translate(X86Access(address: Fixture.va), [Fixture.pde: 0x4003])
        #expect(kernel.result == .ok && kernel.physicalAddress == 0x12_3456_7abc)
    }

    @Test func writeToAReadOnlyPage() throws {
        let readOnly: [UInt64: UInt64] = [Fixture.pte: 0x12_3456_7005]  // P | US, R/W = 0
        // WP = 0: a supervisor write succeeds and sets D.
        let wp0 = try Fixture.translate(X86Access(address: Fixture.va, kind: .write), readOnly, wp: false)
        #expect(wp0.result == .ok)
        #expect(wp0.permissions?.writable == false && wp0.permissions?.readOnlyLevel == .pt)
        #expect(wp0.updates.last == X86EntryUpdateExpectation(Fixture.pte, 0x12_3456_7005, 0x12_3456_7065).update)
        // WP = 1: it faults with P = 1, W/R = 1 → 0b011.
        let wp1 = try Fixture.translate(X86Access(address: Fixture.va, kind: .write), readOnly, wp: true)
        #expect(wp1.fault == .readOnly(.pt))
        #expect(code(wp1) == 0b011)
        #expect(wp1.reason.contains("CR0.WP = 1"))
        // A user write faults whatever WP says → 0b111.
        let user = try Fixture.translate(X86Access(address: Fixture.va, kind: .write, user: true), readOnly, wp: false)
        #expect(user.fault == .readOnly(.pt))
        #expect(code(user) == 0b111)
        // R/W is ANDed over the levels: R/W = 0 in the PML4E is enough.
        let upper = try Fixture.translate(
            X86Access(address: Fixture.va, kind: .write), [Fixture.pml4e: 0x2005], wp: true)
        #expect(upper.fault == .readOnly(.pml4))
    }

    @Test func executeDisable() throws {
        let xd: [UInt64: UInt64] = [Fixture.pte: 0x8000_0012_3456_7007]
        // NXE = 1: a fetch faults with P = 1, I/D = 1 → 0x11 (supervisor), 0x15 (user).
        let fetch = try Fixture.translate(X86Access(address: Fixture.va, kind: .execute), xd)
        #expect(fetch.fault == .noExecute(.pt))
        #expect(code(fetch) == 0x11)
        #expect(fetch.errorCode?.instructionFetch == true)
        let userFetch = try Fixture.translate(X86Access(address: Fixture.va, kind: .execute, user: true), xd)
        #expect(code(userFetch) == 0x15)
        // A read of the same page is fine; the translation is not executable.
        let read = try Fixture.translate(X86Access(address: Fixture.va), xd)
        #expect(read.result == .ok && read.permissions?.executable == false)
        #expect(read.steps[3].flags.executeDisable)
        // NXE = 0: XD is a reserved bit → P = 1, RSVD = 1 → 0b1001 for a read.
        let reserved = try Fixture.translate(X86Access(address: Fixture.va), xd, nxe: false)
        #expect(reserved.fault == .reservedBits(.pt, bits: [63]))
        #expect(code(reserved) == 0b1001)
        #expect(reserved.reason.contains("XD is reserved while EFER.NXE = 0"))
        // NXE = 0: a fetch from a page without XD succeeds, and a fetch fault has I/D = 0.
        let plain = try Fixture.translate(X86Access(address: Fixture.va, kind: .execute), nxe: false)
        #expect(plain.result == .ok)
        let missing0 = try Fixture.translate(
            X86Access(address: Fixture.va, kind: .execute), [Fixture.pte: 0], nxe: false)
        #expect(code(missing0) == 0)
        let missing1 = try Fixture.translate(
            X86Access(address: Fixture.va, kind: .execute), [Fixture.pte: 0], nxe: true)
        #expect(code(missing1) == 0x10)
    }

    @Test func accessedAndDirtyUpdatesPersist() throws {
        var walker = try X86PageWalker(Fixture.config())
        let write = walker.translate(X86Access(address: Fixture.va, kind: .write))
        #expect(write.result == .ok)
        #expect(
            write.updates == [
                X86EntryUpdateExpectation(0x17f0, 0x2007, 0x2027).update,
                X86EntryUpdateExpectation(0x2d18, 0x3007, 0x3027).update,
                X86EntryUpdateExpectation(0x3228, 0x4007, 0x4027).update,
                X86EntryUpdateExpectation(0x4ff8, 0x12_3456_7007, 0x12_3456_7067).update,
            ])
        #expect(walker.entry(at: Fixture.pte) == 0x12_3456_7067)
        // The second access reads the updated entries and changes nothing.
        let read = walker.translate(X86Access(address: Fixture.va + 4))
        #expect(read.steps.map(\.entry) == [0x2027, 0x3027, 0x4027, 0x12_3456_7067])
        #expect(read.steps[3].flags.accessed && read.steps[3].flags.dirty)
        #expect(read.updates.isEmpty)
        #expect(read.physicalAddress == 0x12_3456_7ac0)

        // Read first (A only), then write: only the leaf changes, gaining D.
        var second = try X86PageWalker(Fixture.config())
        _ = second.translate(X86Access(address: Fixture.va))
        let later = second.translate(X86Access(address: Fixture.va, kind: .write))
        #expect(later.updates == [X86EntryUpdateExpectation(0x4ff8, 0x12_3456_7027, 0x12_3456_7067).update])
        // A faulting access changes nothing.
        var third = try X86PageWalker(Fixture.config([Fixture.pte: 0x12_3456_7005]))
        let fault = third.translate(X86Access(address: Fixture.va, kind: .write))
        #expect(fault.result == .pageFault && fault.updates.isEmpty)
        #expect(third.entry(at: Fixture.pml4e) == 0x2007)
    }

    /// va = 0xffff_8000_4040_3456: bits 63:48 = 0xffff (sign), PML4 = 0x100, PDPT = 1, PD = 2, PT = 3,
    /// offset 0x456. Entries at 0x1000 + 8·0x100 = 0x1800, 0x2000 + 8 = 0x2008, 0x3000 + 16 = 0x3010,
    /// 0x4000 + 24 = 0x4018. The PTE 0x8000_0000_0000_5103 (XD | G | RW | P) is above Int64.max.
    @Test func kernelHalfAddressesAboveInt64Max() throws {
        let va: UInt64 = 0xffff_8000_4040_3456
        #expect(va > UInt64(Int64.max))
        let config = X86PagingConfiguration(
            cr3: 0x1000,
            entries: [0x1800: 0x2003, 0x2008: 0x3003, 0x3010: 0x4003, 0x4018: 0x8000_0000_0000_5103])
        var walker = try X86PageWalker(config)
        let t = walker.translate(X86Access(address: va))
        #expect(t.result == .ok)
        #expect(t.steps.map(\.index) == [0x100, 1, 2, 3])
        #expect(t.steps.map(\.entryAddress) == [0x1800, 0x2008, 0x3010, 0x4018])
        #expect(t.physicalAddress == 0x5456)
        #expect(t.fields.first?.value == 0xffff)
        #expect(t.steps[3].flags.names == ["P", "RW", "G", "XD"])
        #expect(t.updates.last?.new == 0x8000_0000_0000_5123)
        #expect(t.reason == "0xffff800040403456 -> 0x0000000000005456 in a 4 KiB page")
        // The pages are supervisor-only: a user read faults with CR2 = the full 64-bit address.
        let user = walker.translate(X86Access(address: va, user: true))
        #expect(user.fault == .supervisorOnly(.pml4))
        #expect(user.cr2 == 0xffff_8000_4040_3456)
        #expect(code(user) == 0b101)
        // The top page of the address space: every index 0x1ff, entries at 0x...ff8.
        let top = walker.translate(X86Access(address: 0xffff_ffff_ffff_f000))
        #expect(top.steps.map(\.entryAddress) == [0x1ff8])
        #expect(top.fault == .notPresent(.pml4))
    }

    @Test func configurationIsValidated() {
        #expect(throws: PagingError.self) {
            try X86PageWalker(X86PagingConfiguration(cr3: 0x1000, physicalAddressBits: 60, entries: [:]))
        }
        #expect(throws: PagingError("entry address 0x0000000000001004 is not a multiple of 8")) {
            try X86PageWalker(X86PagingConfiguration(cr3: 0x1000, entries: [0x1004: 1]))
        }
        #expect(throws: PagingError.self) {
            try X86PageWalker(X86PagingConfiguration(cr3: 1 << 46, entries: [:]))
        }
        #expect(throws: PagingError.self) {
            try X86PageWalker(X86PagingConfiguration(cr3: 0x1000, entries: [1 << 50: 1]))
        }
        #expect(throws: PagingError.self) {
            try X86PageWalker(X86PagingConfiguration(cr3: 0x1000, entries: [:], tlb: TLBConfiguration(entries: 0)))
        }
        let tooMany = [X86Access](repeating: X86Access(address: 0), count: PagingLimits.maxAccesses + 1)
        #expect(throws: PagingError("too many accesses: 10001 (at most 10000)")) {
            try X86PageWalker.simulate(X86PagingConfiguration(cr3: 0x1000, entries: [:]), accesses: tooMany)
        }
    }
}

/// Shorthand for an expected A/D update.
private struct X86EntryUpdateExpectation {
    let address: UInt64
    let old: UInt64
    let new: UInt64

    init(_ address: UInt64, _ old: UInt64, _ new: UInt64) {
        self.address = address
        self.old = old
        self.new = new
    }

    var update: X86EntryUpdate { X86EntryUpdate(entryAddress: address, old: old, new: new) }
}

@Suite struct MultiLevelWalkTests {
    /// A memory image built by hand in OSTEP's geometry: PDBR = 2; the PDE at page 2, byte 3 is
    /// 0x85 (valid, PT in page 5); the PTE at page 5, byte 7 is 0x8a (valid, data in page 10);
    /// page 10 holds 0x2a at byte 9.
    static func handMade(tlb: TLBConfiguration? = nil) throws -> MultiLevelPagingConfiguration {
        try .ostep(
            pdbr: 2,
            hexMemory: [
                2: "00 00 00 85", 5: "7f 7f 7f 7f 7f 7f 7f 8a 7f",
                10: "00 01 02 03 04 05 06 07 08 2a",
            ], tlb: tlb)
    }

    /// va = 3 << 10 | 7 << 5 | 9 = 0xce9. PDE at 2·32 + 3 = 67, PTE at 5·32 + 7 = 167,
    /// pa = 10·32 + 9 = 329 = 0x149, value 0x2a.
    @Test func handMadeTranslation() throws {
        let config = try Self.handMade()
        let results = try MultiLevelPageWalker.simulate(config, addresses: [0xce9, 0x1000, 0xd09])
        let ok = results[0]
        #expect(ok.result == .ok)
        #expect(ok.fields.map(\.name) == ["PD", "PT", "offset"])
        #expect(ok.fields.map(\.value) == [3, 7, 9])
        #expect(ok.fields.map(\.highBit) == [14, 9, 4])
        #expect(ok.steps.map(\.entryAddress) == [67, 167])
        #expect(ok.steps.map(\.entry) == [0x85, 0x8a])
        #expect(ok.steps.map(\.pfn) == [5, 10])
        #expect(ok.steps.map(\.tablePFN) == [2, 5])
        #expect(ok.physicalAddress == 0x149)
        #expect(ok.value == 0x2a)
        // 0x1000: PD index 4 → byte 4 of page 2 is past the given bytes, so 0: invalid PDE.
        #expect(results[1].result == .fault)
        #expect(results[1].faultLevel == 0)
        #expect(results[1].reason == "page directory entry not valid")
        #expect(results[1].steps.count == 1)
        // 0xd09 = 3 << 10 | 8 << 5 | 9: the PTE at 5·32 + 8 = 168 is 0x7f (valid bit clear).
        #expect(results[2].faultLevel == 1)
        #expect(results[2].reason == "page table entry not valid")
        #expect(results[2].steps.map(\.entry) == [0x85, 0x7f])
        #expect(results[2].physicalAddress == nil && results[2].value == nil)
    }

    /// `paging-multilevel-translate.py -s 0` (published output): PDBR 108 and the six pages these
    /// three addresses touch; every other page is left out (zero).
    static let seed0: [UInt64: String] = [
        33: "7f 7f 7f 7f 7f 7f 7f 7f b5 7f 9d 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f f6 b1 7f 7f 7f 7f",
        53: "0f 0c 18 09 0e 12 1c 0f 08 17 13 07 1c 1e 19 1b 09 16 1b 15 0e 03 0d 12 1c 1d 0e 1a 08 18 11 00",
        78: "0e 02 17 1b 1c 1a 1b 1c 10 0c 15 08 19 1a 1b 12 1d 11 0d 14 1e 1c 18 02 12 0f 13 1a 07 16 03 06",
        84: "7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 94 7f 7f 7f 7f 7f ce",
        86: "7f 7f 7f 7f 7f 7f 7f c5 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f 7f ca 7f 7f ee 7f 7f 7f 7f 7f 7f 7f 7f",
        108: "83 fe e0 da 7f d4 7f eb be 9e d5 ad e4 ac 90 d6 92 d8 c1 f8 9f e1 ed e9 a1 e8 c7 c2 a9 d1 db ff",
    ]

    /// The simulator's answers: 611c → pde 0xa1 (pfn 33), pte 0xb5 (pfn 53), pa 0x6bc, value 08;
    /// 3da8 → pde 0xd6 (pfn 86), pte 0x7f: fault; 17f5 → pde 0xd4 (pfn 84), pte 0xce (pfn 78),
    /// pa 0x9d5, value 1c.
    @Test func ostepSeedZero() throws {
        let config = try MultiLevelPagingConfiguration.ostep(pdbr: 108, hexMemory: Self.seed0)
        let results = try MultiLevelPageWalker.simulate(config, addresses: [0x611c, 0x3da8, 0x17f5])
        #expect(results[0].steps.map(\.index) == [24, 8])
        #expect(results[0].steps.map(\.entry) == [0xa1, 0xb5])
        #expect(results[0].steps.map(\.pfn) == [33, 53])
        #expect(results[0].physicalAddress == 0x6bc)
        #expect(results[0].value == 0x08)
        #expect(results[1].steps.map(\.index) == [15, 13])
        #expect(results[1].steps.map(\.entry) == [0xd6, 0x7f])
        #expect(results[1].result == .fault && results[1].faultLevel == 1)
        #expect(results[1].reason == "page table entry not valid")
        #expect(results[2].steps.map(\.entry) == [0xd4, 0xce])
        #expect(results[2].physicalAddress == 0x9d5)
        #expect(results[2].value == 0x1c)
    }

    /// OSTEP ch. 20's worked example: 16 KiB address space, 64-byte pages (4 + 4 index bits, 6 offset
    /// bits), 4-byte entries (here bit 31 valid, the PFN in the low bits). PD[0] → PFN 100,
    /// PD[15] → PFN 101; in page 101, PT[14] → PFN 55. va 0x3f80 = 1111 1110 000000 → PD 15, PT 14,
    /// offset 0 → pa = 55 · 64 = 0xdc0. The directory's own page (7) is our choice; the book leaves it open.
    @Test func bookExampleWithFourByteEntries() throws {
        var memory: [UInt64: [UInt8]] = [:]
        func put(_ page: UInt64, _ index: Int, _ value: UInt32) {
            var bytes = memory[page] ?? [UInt8](repeating: 0, count: 64)
            for k in 0..<4 { bytes[4 * index + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
            memory[page] = bytes
        }
        put(7, 0, 0x8000_0064)
        put(7, 15, 0x8000_0065)
        put(101, 14, 0x8000_0037)
        put(101, 15, 0x8000_002d)
        let config = MultiLevelPagingConfiguration(
            levelBits: [4, 4], offsetBits: 6, entryBytes: 4, validBit: 31, pfnBits: 20, rootPFN: 7, memory: memory)
        let t = try MultiLevelPageWalker.simulate(config, addresses: [0x3f80])[0]
        #expect(t.steps.map(\.index) == [15, 14])
        let expectedAddresses: [UInt64] = [7 * 64 + 60, 101 * 64 + 56]  // 508, 6520
        #expect(t.steps.map(\.entryAddress) == expectedAddresses)
        #expect(t.steps.map(\.entry) == [0x8000_0065, 0x8000_0037])
        #expect(t.physicalAddress == 0xdc0)
    }

    /// The generic walker configured as x86-64 4-level paging (9+9+9+9 index bits, 12 offset bits,
    /// 8-byte entries, P = bit 0, PFN = bits 45:12) walks the 4 KiB fixture exactly as the x86 walker.
    @Test func reproducesTheX86FourKiBWalk() throws {
        var memory: [UInt64: [UInt8]] = [:]
        for (address, entry) in Fixture.entries {
            let page = address >> 12
            let offset = Int(address & 0xfff)
            var bytes = memory[page] ?? []
            if bytes.count < offset + 8 { bytes += [UInt8](repeating: 0, count: offset + 8 - bytes.count) }
            for k in 0..<8 { bytes[offset + k] = UInt8(truncatingIfNeeded: entry >> UInt64(8 * k)) }
            memory[page] = bytes
        }
        let config = MultiLevelPagingConfiguration(
            levelBits: [9, 9, 9, 9], offsetBits: 12, entryBytes: 8, validBit: 0, pfnShift: 12, pfnBits: 34,
            rootPFN: 1, memory: memory)
        let generic = try MultiLevelPageWalker.simulate(config, addresses: [Fixture.va])[0]
        let x86 = try Fixture.translate(X86Access(address: Fixture.va))
        #expect(generic.steps.map(\.entryAddress) == x86.steps.map(\.entryAddress))
        #expect(generic.steps.map(\.entry) == x86.steps.map(\.entry))
        #expect(generic.steps.map(\.index) == x86.steps.map { UInt64($0.index) })
        #expect(generic.physicalAddress == x86.physicalAddress)
        #expect(generic.fields.map(\.name) == ["L1", "L2", "L3", "L4", "offset"])
    }

    @Test func hexMemoryIsParsed() throws {
        #expect(try MultiLevelPagingConfiguration.parseHexBytes("83fe E0\n da") == [0x83, 0xfe, 0xe0, 0xda])
        #expect(throws: PagingError("a byte must have two hex digits")) {
            try MultiLevelPagingConfiguration.parseHexBytes("8 3")
        }
        #expect(throws: PagingError("page 4: 'g' is not a hexadecimal digit")) {
            try MultiLevelPagingConfiguration.ostep(pdbr: 0, hexMemory: [4: "0g"])
        }
    }

    @Test func configurationIsValidated() throws {
        func make(
            levels: [Int] = [5, 5], offset: Int = 5, entryBytes: Int = 1, valid: Int = 7, shift: Int = 0,
            pfn: Int = 7, root: UInt64 = 0, memory: [UInt64: [UInt8]] = [:]
        ) -> MultiLevelPagingConfiguration {
            MultiLevelPagingConfiguration(
                levelBits: levels, offsetBits: offset, entryBytes: entryBytes, validBit: valid, pfnShift: shift,
                pfnBits: pfn, rootPFN: root, memory: memory)
        }
        let cases: [(MultiLevelPagingConfiguration, String)] = [
            (make(levels: []), "a page table needs 1 to 8 levels, not 0"),
            (make(levels: [5, 0]), "level 2 must use 1 to 20 index bits, not 0"),
            (make(offset: 0), "the offset must have 1 to 30 bits, not 0"),
            (make(levels: [20, 20, 20], offset: 10), "index bits (60) plus offset bits (10) exceed 64"),
            (make(entryBytes: 3), "an entry must be 1, 2, 4 or 8 bytes, not 3"),
            (make(valid: 8), "the valid bit 8 is outside the entry (bits 7:0)"),
            (make(valid: 6), "the valid bit 6 lies inside the PFN field (bits 6:0)"),
            (make(pfn: 9), "the PFN field (9 bits from bit 0) does not fit in the entry (bits 7:0)"),
            (make(levels: [6, 5]), "a level-1 table (64 × 1-byte entries) does not fit in a 32-byte page"),
            (make(root: 128), "the root table's page 128 is beyond the last physical page (127)"),
            (
                make(memory: [3: [UInt8](repeating: 0, count: 33)]),
                "memory page 3 has 33 bytes, more than the page size (32)"
            ),
            (make(memory: [200: []]), "memory page 200 is beyond the last physical page (127)"),
        ]
        for (config, message) in cases {
            #expect(throws: PagingError(message)) { try MultiLevelPageWalker(config) }
        }
        let manyPages = Dictionary(uniqueKeysWithValues: (0..<4_097).map { (UInt64($0), [UInt8]()) })
        #expect(throws: PagingError("too many memory pages: 4097 (at most 4096)")) {
            try MultiLevelPageWalker(make(offset: 6, entryBytes: 2, valid: 15, pfn: 13, memory: manyPages))
        }
        #expect(throws: PagingError("virtual address 0x8000 does not fit in 15 bits")) {
            try MultiLevelPageWalker.simulate(make(), addresses: [0x8000])
        }
        #expect(throws: PagingError("too many addresses: 10001 (at most 10000)")) {
            try MultiLevelPageWalker.simulate(make(), addresses: [UInt64](repeating: 0, count: 10_001))
        }
    }
}

@Suite struct TLBTests {
    /// One level of 4 index bits over 16-byte pages; VPN v maps to PFN v + 1 (all valid), so every
    /// access succeeds and the TLB sees exactly the VPN reference string.
    static func identityLike(_ tlb: TLBConfiguration) -> MultiLevelPagingConfiguration {
        let table = (0..<16).map { UInt8(0x80 | ($0 + 1)) }
        return MultiLevelPagingConfiguration(
            levelBits: [4], offsetBits: 4, entryBytes: 1, validBit: 7, pfnBits: 7, rootPFN: 0, memory: [0: table],
            tlb: tlb)
    }

    static let classic: [UInt64] = [1, 2, 3, 4, 2, 1, 5, 6, 2, 1, 2, 3, 7, 6, 3, 2, 1, 2, 3, 6]

    /// LRU with 3 entries on the classic string, by hand: M M M M H M M M M M H M M M H M M H H M
    /// (15 misses; §6's published count). FIFO: 16 misses.
    @Test func lruAndFifoMatchPagingPolicy() throws {
        let addresses = Self.classic.map { $0 << 4 | 3 }
        let lru = try MultiLevelPageWalker.simulate(
            Self.identityLike(TLBConfiguration(entries: 3)), addresses: addresses)
        let hits = lru.compactMap { $0.tlb?.hit }
        #expect(hits.count == 20)
        #expect(hits.enumerated().filter(\.element).map(\.offset) == [4, 10, 14, 17, 18])
        #expect(hits.filter { !$0 }.count == 15)
        #expect(lru.last?.tlb?.contents.map(\.pageNumber) == [2, 3, 6])
        #expect(lru[3].tlb?.evicted == TLBTag(pageNumber: 1, pageSize: 16))
        // A hit skips the walk but still translates: VPN 2 → PFN 3, pa = 3·16 + 3.
        #expect(lru[4].steps.isEmpty && lru[4].physicalAddress == 0x33)
        #expect(lru[3].steps.count == 1)
        let fifo = try MultiLevelPageWalker.simulate(
            Self.identityLike(TLBConfiguration(entries: 3, policy: .fifo)), addresses: addresses)
        #expect(fifo.filter { $0.tlb?.hit == false }.count == 16)
    }

    /// A faulting access is a miss and is not cached.
    @Test func faultsAreNotCached() throws {
        let config = try MultiLevelWalkTests.handMade(tlb: TLBConfiguration(entries: 2))
        let results = try MultiLevelPageWalker.simulate(config, addresses: [0x1000, 0x1000, 0xce9, 0xce0])
        #expect(results.map { $0.tlb?.hit } == [false, false, false, true])
        #expect(results[1].tlb?.contents == [])
        #expect(results[3].value == 0x00 && results[3].physicalAddress == 0x140)
    }

    /// x86 with a 2-entry LRU TLB. PML4E 0x1000 → PDPT 0x2000 → PD 0x3000; PDE 0 → PT 0x4000 with
    /// PTE 0 → 0x10000 and PTE 1 → 0x11000; PDE 1 (at 0x3008) maps the 2 MiB page 0x4000_0000.
    @Test func x86TLBKeysByLeafPageSize() throws {
        let config = X86PagingConfiguration(
            cr3: 0x1000,
            entries: [
                0x1000: 0x2003, 0x2000: 0x3003, 0x3000: 0x4003, 0x3008: 0x4000_0083, 0x4000: 0x1_0003,
                0x4008: 0x1_1003,
            ], tlb: TLBConfiguration(entries: 2))
        let accesses = [
            X86Access(address: 0x0), X86Access(address: 0x1000), X86Access(address: 0x20_0000),
            X86Access(address: 0x3f_f123), X86Access(address: 0x20_0010, kind: .write), X86Access(address: 0x0),
            X86Access(address: 0x3f_f000, kind: .write),
        ]
        var walker = try X86PageWalker(config)
        let t = accesses.map { walker.translate($0) }
        #expect(t.map { $0.tlb?.hit } == [false, false, false, true, true, false, true])
        #expect(t[2].tlb?.evicted == TLBTag(pageNumber: 0, pageSize: 4096))
        #expect(t[2].tlb?.tag == TLBTag(pageNumber: 1, pageSize: 2 << 20))
        // The hit inside the same 2 MiB page: no walk, the cached frame.
        #expect(t[3].steps.isEmpty)
        #expect(t[3].physicalAddress == 0x401f_f123)
        #expect(t[3].pageSize == 2 << 20)
        // A write hit on a clean cached translation sets D in the leaf without a walk
        // (A was set by the miss in access 2: 0x4000_0083 → 0x4000_00a3 → 0x4000_00e3).
        #expect(t[4].updates == [X86EntryUpdate(entryAddress: 0x3008, old: 0x4000_00a3, new: 0x4000_00e3)])
        #expect(t[6].updates.isEmpty)
        // LRU: the 2 MiB page was used last, so 0x1000's page is evicted.
        #expect(t[5].tlb?.evicted == TLBTag(pageNumber: 1, pageSize: 4096))
        #expect(
            t[5].tlb?.contents == [TLBTag(pageNumber: 1, pageSize: 2 << 20), TLBTag(pageNumber: 0, pageSize: 4096)])
        // #GP never touches the TLB.
        #expect(walker.translate(X86Access(address: 0x0000_8000_0000_0000)).tlb == nil)
    }

    /// A TLB hit still checks the cached rights.
    @Test func x86TLBHitStillChecksPermissions() throws {
        var walker = try X86PageWalker(
            X86PagingConfiguration(
                cr3: 0x1000, entries: [0x1000: 0x2003, 0x2000: 0x3003, 0x3000: 0x4003, 0x4000: 0x1_0001],
                tlb: TLBConfiguration(entries: 4)))
        let read = walker.translate(X86Access(address: 0x10))
        let write = walker.translate(X86Access(address: 0x20, kind: .write))
        #expect(read.tlb?.hit == false && write.tlb?.hit == true)
        #expect(write.fault == .readOnly(.pt))
        #expect(write.errorCode?.value == 0b011)
        #expect(write.steps.isEmpty)
    }
}

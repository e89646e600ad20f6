import CSystemShims
import FigureKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One compiled ```` ```swift sim ```` block: its header and the function holding its code.
public struct BlockEntry: Sendable {
    /// The figure's id (`cow-fork`): the SVG's ids start with `fig-ID`.
    public let id: String
    /// The figure's title (the SVG's `<title>`).
    public let title: String
    /// The seed of the generator handed to the block.
    public let seed: UInt64
    /// The block's code.
    public let run: @Sendable (inout SeededRandom) throws -> Figure

    /// An entry of the generated package's table of blocks.
    public init(id: String, title: String, seed: UInt64, run: @escaping @Sendable (inout SeededRandom) throws -> Figure)
    {
        self.id = id
        self.title = title
        self.seed = seed
        self.run = run
    }
}

/// How Prensa and the program it generates for ```` ```swift sim ```` blocks talk.
///
/// Prensa runs `SimRunner KEY FOLDER CPU-SECONDS` once per block (and once more to check that the output does
/// not change). The runner moves into `FOLDER`, cuts itself off the network where the system allows
/// it, runs block `KEY` with a `SeededRandom` of the block's seed, and writes to standard output
/// ``marker`` on a line of its own and then one line of JSON, one of:
///
/// ```
/// {"figure": {"id", "svg", "description", "table": {"columns", "rows", "footer", "numeric"}},
///  "network_isolated": Bool}
/// {"thrown": "the error the block threw", "network_isolated": Bool}
/// {"invalid": "what is wrong with the figure the block returned", "network_isolated": Bool}
/// ```
///
/// and exits with status 0. Anything the block prints comes before the marker. A trap kills the
/// process with a signal, its message on standard error.
public enum BlockProtocol {
    /// The line before the JSON result.
    public static let marker = "\u{1E}prensa-swift-sim-result\u{1E}"
    /// Exit status when the arguments name no block.
    public static let usageStatus: Int32 = 64
}

/// The main program of the generated package.
public enum BlockRunner {
    /// Runs the block whose key is the first argument in the folder given as the second, prints
    /// its result as ``BlockProtocol`` says and exits.
    public static func main(_ blocks: [String: BlockEntry]) -> Never {
        // Prensa enforces the time limit: if it is gone (killed, Ctrl-C), nothing would.
        _ = prensa_die_with_parent()
        let arguments = CommandLine.arguments
        guard arguments.count == 3 || arguments.count == 4, let entry = blocks[arguments[1]] else {
            let names = blocks.keys.sorted().joined(separator: ", ")
            writeError("usage: SimRunner KEY FOLDER [CPU-SECONDS], with KEY one of: \(names)\n")
            exit(BlockProtocol.usageStatus)
        }
        guard chdir(arguments[2]) == 0 else {
            writeError("cannot enter \(arguments[2])\n")
            exit(BlockProtocol.usageStatus)
        }
        let isolated = prensa_isolate_network() == 0
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(resource(RLIMIT_CORE), &noCore)
        // At most 4 GiB of heap: a block that piles up data without end fails instead of the machine.
        var data = rlimit(rlim_cur: 4 << 30, rlim_max: 4 << 30)
        _ = setrlimit(resource(RLIMIT_DATA), &data)
        // A backstop for Prensa's own time limit: the kernel stops a block that spins on after it.
        if arguments.count == 4, let seconds = rlim_t(arguments[3]), seconds > 0 {
            var cpu = rlimit(rlim_cur: seconds, rlim_max: seconds + 1)
            _ = setrlimit(resource(RLIMIT_CPU), &cpu)
        }
        // Last, so the child inherits the limits: the block runs as process 1 of a PID namespace
        // of its own, and whatever it forks (even into a new session, out of the process group
        // Prensa kills at the time limit) dies with it.
        _ = prensa_isolate_processes()
        let result = run(entry)
        print(BlockProtocol.marker)
        print("{\(result),\"network_isolated\":\(isolated)}")
        fflush(nil)
        exit(0)
    }

    #if canImport(Glibc)
        private static func resource(_ value: __rlimit_resource) -> __rlimit_resource_t { Int32(value.rawValue) }
    #else
        private static func resource(_ value: Int32) -> Int32 { value }
    #endif

    private static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    }

    /// Runs `entry` and returns the first member of the result object (`"figure": {...}`,
    /// `"thrown": "..."` or `"invalid": "..."`).
    static func run(_ entry: BlockEntry) -> String {
        var random = SeededRandom(seed: entry.seed)
        let figure: Figure
        do {
            figure = try entry.run(&random)
        } catch {
            return "\"thrown\":" + jsonString(String(describing: error))
        }
        if let problem = problem(with: figure) {
            return "\"invalid\":" + jsonString(problem)
        }
        return "\"figure\":" + figureJSON(figure, id: entry.id, title: entry.title)
    }

    /// What makes `figure` unusable, in words for the author, or nil.
    static func problem(with figure: Figure) -> String? {
        let table = figure.table
        if table.columns.isEmpty {
            return "the figure has no data table; give it one with .table([columns], [[cells]])"
        }
        for (number, row) in (table.rows + table.footer).enumerated() where row.count != table.columns.count {
            return "row \(number + 1) of the data table has \(row.count) cells, but the table has "
                + "\(table.columns.count) columns"
        }
        if figure.description.isEmpty {
            return "the figure has no description; give it one with .described(\"...\")"
        }
        if !(figure.canvas.width > 0 && figure.canvas.height > 0 && figure.canvas.width.isFinite
            && figure.canvas.height.isFinite)
        {
            return "the drawing's width and height must be positive"
        }
        return nil
    }

    /// The figure as the JSON object ``BlockProtocol`` describes.
    public static func figureJSON(_ figure: Figure, id: String, title: String) -> String {
        let table = figure.table
        func rows(_ rows: [[String]]) -> String {
            "[" + rows.map { "[" + $0.map(jsonString).joined(separator: ",") + "]" }.joined(separator: ",") + "]"
        }
        return "{\"id\":\(jsonString(id)),\"svg\":\(jsonString(figure.svg(id: id, title: title))),"
            + "\"description\":\(jsonString(figure.description)),\"table\":{\"columns\":["
            + table.columns.map(jsonString).joined(separator: ",") + "],\"rows\":\(rows(table.rows)),"
            + "\"footer\":\(rows(table.footer)),\"numeric\":["
            + table.numericColumns.sorted().map(String.init).joined(separator: ",") + "]}}"
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}

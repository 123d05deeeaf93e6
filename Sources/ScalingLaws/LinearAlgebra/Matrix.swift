/// A dense column-major matrix of `Double`, the storage order LAPACK expects.
///
/// Element (i, j) lives at `storage[i + j * rows]`.
public struct Matrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Column-major elements.
    public var storage: [Double]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// A matrix from its columns; every column must have the same length.
    public init(columns cols: [[Double]]) {
        let rows = cols.first?.count ?? 0
        precondition(cols.allSatisfy { $0.count == rows }, "all columns must have the same length")
        self.rows = rows
        self.columns = cols.count
        self.storage = cols.flatMap { $0 }
    }

    /// Element at row `i`, column `j`.
    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { storage[i + j * rows] }
        set { storage[i + j * rows] = newValue }
    }

    /// A copy of column `j`.
    public func column(_ j: Int) -> [Double] {
        Array(storage[(j * rows)..<((j + 1) * rows)])
    }
}

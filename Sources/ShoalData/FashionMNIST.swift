/// Loads MNIST-style image/label IDX pairs, such as the Debian `dataset-fashion-mnist` files.
///
/// Pixels keep their byte values (0...255) as `Float`; apply ``Normalization/scale`` or
/// ``Standardizer`` afterwards. Images are `[rows, cols, 1]` (HWC).
///
/// ```swift
/// let (train, test) = try FashionMNIST.load(directory: FashionMNIST.defaultDirectory)
/// train.count          // 60000
/// train.featureShape   // [28, 28, 1]
/// ```
public enum FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` puts the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// Fashion-MNIST's class names, by label.
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Reads `train-*` and `t10k-*` from `directory` (`.gz` or uncompressed, whichever exists).
    public static func load(directory: String) throws -> (train: Dataset, test: Dataset) {
        func file(_ stem: String) -> String {
            let plain = directory + "/" + stem
            return fileExists(plain + ".gz") || !fileExists(plain) ? plain + ".gz" : plain
        }
        let train = try loadPair(
            images: file("train-images-idx3-ubyte"), labels: file("train-labels-idx1-ubyte"), classCount: 10)
        let test = try loadPair(
            images: file("t10k-images-idx3-ubyte"), labels: file("t10k-labels-idx1-ubyte"), classCount: 10)
        return (train, test)
    }

    /// Reads one image file (`[count, rows, cols]`) and its label file (`[count]`).
    ///
    /// - Throws: ``DataError`` for an unreadable or malformed file, images that are not 3-D,
    ///   labels that are not 1-D or not below `classCount`, or different counts.
    public static func loadPair(images: String, labels: String, classCount: Int) throws -> Dataset {
        let imageFile = try IDXFile(path: images)
        let labelFile = try IDXFile(path: labels)
        guard imageFile.dimensions.count == 3 else {
            throw DataError.badHeader(file: images, reason: "images must have 3 dimensions, found \(imageFile.dimensions)")
        }
        guard labelFile.dimensions.count == 1 else {
            throw DataError.badHeader(file: labels, reason: "labels must have 1 dimension, found \(labelFile.dimensions)")
        }
        guard imageFile.count == labelFile.count else {
            throw DataError.countMismatch(
                imagesFile: images, images: imageFile.count, labelsFile: labels, labels: labelFile.count)
        }
        if let bad = labelFile.bytes.firstIndex(where: { Int($0) >= classCount }) {
            throw DataError.badHeader(
                file: labels, reason: "label \(labelFile.bytes[bad]) of sample \(bad) is not below \(classCount)")
        }
        let features = imageFile.bytes.map { Float($0) }
        let targets = labelFile.bytes.map { Float($0) }
        return try Dataset(
            featureShape: [imageFile.dimensions[1], imageFile.dimensions[2], 1],
            features: features, targets: targets, classCount: classCount)
    }
}

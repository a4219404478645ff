//! The one document the Typst compiler sees: the pack's template as its main file, the pack's
//! data as `pack.json`, the fonts compiled into the binary, and no clock. Nothing is read from
//! disk or the network, so the same report typesets the same on every machine.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The template, compiled into the binary.
const TEMPLATE: &str = include_str!("pack.typ");

/// The fonts the pack is set in: Typst's own bundled families, parsed once per process.
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

fn file_id(path: &str) -> FileId {
    let path = VirtualPath::new(path).expect("the pack's file names are valid virtual paths");
    RootedPath::new(VirtualRoot::Project, path).intern()
}

/// The template and one report's data.
pub(crate) struct PackWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
}

impl PackWorld {
    /// A world typesetting `data` (the pack's JSON).
    pub(crate) fn new(data: Vec<u8>) -> Self {
        Self {
            main: Source::new(file_id("/pack.typ"), TEMPLATE.to_owned()),
            data_id: file_id("/pack.json"),
            data: Bytes::new(data),
        }
    }
}

impl World for PackWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.text().to_owned()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    /// The pack never says when it was printed: a date would make two printings differ.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

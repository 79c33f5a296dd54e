//! Whose code a Go frame is: the runtime's, the standard library's, a web framework's, or the
//! user's own, from the package path in the function name (`net/http.(*conn).serve` is the
//! standard library, `github.com/gin-gonic/gin.(*Context).Next` a framework, `main.leak` the
//! user's). Findings name the first user frame from the leaf, the one a person can open and
//! fix. It classifies names only; it never looks at files or binaries.

/// Module path prefixes of the web and RPC frameworks and their middleware that Go services
/// are built on: their frames, like the standard library's, are never the cause a user fixes.
pub const FRAMEWORK_PREFIXES: &[&str] = &[
    "github.com/gin-gonic/",
    "github.com/gin-contrib/",
    "github.com/labstack/echo",
    "github.com/gofiber/",
    "github.com/valyala/fasthttp",
    "github.com/gorilla/",
    "github.com/go-chi/",
    "github.com/julienschmidt/httprouter",
    "google.golang.org/grpc",
    "google.golang.org/protobuf",
    "github.com/golang/protobuf",
    "go.opentelemetry.io/",
    "github.com/grpc-ecosystem/",
];

/// Who wrote the code of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameOwner {
    /// `runtime`, `runtime/internal/…` and `internal/…` packages.
    Runtime,
    /// Any other package of the Go distribution (`sync`, `net/http`, `encoding/json`).
    Stdlib,
    /// A known framework (`FRAMEWORK_PREFIXES`).
    Framework,
    /// Everything else: `main`, the service's own modules, other libraries.
    User,
}

/// The package path of a Go function name: everything before the first `.` after the last
/// `/` (`net/http.(*conn).serve` → `net/http`, `main.main` → `main`).
pub fn go_package(function: &str) -> &str {
    let start = function.rfind('/').map_or(0, |i| i + 1);
    match function[start..].find('.') {
        Some(dot) => &function[..start + dot],
        None => function,
    }
}

/// Who wrote `function` (a Go function name as pprof prints it).
pub fn frame_owner(function: &str) -> FrameOwner {
    let package = go_package(function);
    if package == "runtime"
        || package.starts_with("runtime/")
        || package.starts_with("internal/")
        || package.starts_with("vendor/")
    {
        return FrameOwner::Runtime;
    }
    if FRAMEWORK_PREFIXES.iter().any(|p| function.starts_with(p)) {
        return FrameOwner::Framework;
    }
    // Standard library packages have a plain lower-case first path element (module paths have
    // a dot in theirs, `github.com/…`), and `main` is always the user's. Names that are no Go
    // function (`<unknown>`, an address) cannot be told apart, so they count as the user's.
    let first = package.split('/').next().unwrap_or(package);
    let plain = !first.is_empty()
        && first
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if package != "main" && plain {
        return FrameOwner::Stdlib;
    }
    FrameOwner::User
}

/// The first of `leaf_first` (frames from the leaf up) that is the user's code, if any.
pub fn user_frame<'a>(leaf_first: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    leaf_first
        .into_iter()
        .find(|f| frame_owner(f) == FrameOwner::User)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_runtime_stdlib_framework_and_user_code_apart() {
        let owner = |f| frame_owner(f);
        assert_eq!(owner("runtime.gopark"), FrameOwner::Runtime);
        assert_eq!(owner("runtime/pprof.writeHeap"), FrameOwner::Runtime);
        assert_eq!(owner("internal/poll.runtime_pollWait"), FrameOwner::Runtime);
        assert_eq!(owner("net/http.(*conn).serve"), FrameOwner::Stdlib);
        assert_eq!(owner("sync.(*WaitGroup).Wait"), FrameOwner::Stdlib);
        assert_eq!(owner("encoding/json.Marshal"), FrameOwner::Stdlib);
        assert_eq!(
            owner("github.com/gin-gonic/gin.(*Context).Next"),
            FrameOwner::Framework
        );
        assert_eq!(owner("main.(*responseCache).Put"), FrameOwner::User);
        assert_eq!(
            owner("github.com/acme/shop/cart.(*Cart).Add"),
            FrameOwner::User
        );
        assert_eq!(owner("<unknown>"), FrameOwner::User);
        assert_eq!(go_package("github.com/a/b.(*T).M"), "github.com/a/b");
        assert_eq!(go_package("main.main.func1"), "main");
        let stack = [
            "runtime.gopark",
            "net/http.(*conn).serve",
            "main.handler",
            "main.main",
        ];
        assert_eq!(user_frame(stack), Some("main.handler"));
        assert_eq!(user_frame(["runtime.goexit"]), None);
    }
}

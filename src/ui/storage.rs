//! Keeps the user's files in the browser's own storage until they remove them, so a reload, a
//! crashed tab or a closed browser brings them back: the Origin Private File System where the
//! browser has it, IndexedDB where it does not. A file is written from its `Blob` (the browser
//! streams it from disk; it is never copied whole into the page's memory); the list of kept
//! files (key, name, size, in order) is a small JSON entry of `localStorage`, written once a
//! file is completely stored, so a file cut short by a crash is never listed.
//!
//! It stores and returns blobs only: reading and decoding stay in the worker, and what to do
//! with a failure (a quota message in the banner) is the caller's choice.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, DomException, FileSystemDirectoryHandle, FileSystemFileHandle,
    FileSystemGetDirectoryOptions, FileSystemGetFileOptions, FileSystemWritableFileStream,
    IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransactionMode,
};

/// The `localStorage` entry listing the kept files.
const LIST_KEY: &str = "leakscope.files";
/// The OPFS folder and the IndexedDB database (one object store) holding the files.
const FOLDER: &str = "leakscope-files";
const STORE: &str = "files";

/// One kept file, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptFile {
    /// The storage key, also the file's key in the page's URL.
    pub key: String,
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub size: f64,
}

/// The kept files, in the order they were added (an unreadable list counts as empty).
pub fn kept() -> Vec<KeptFile> {
    local_storage()
        .and_then(|s| s.get_item(LIST_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn set_kept(list: &[KeptFile]) {
    if let (Some(storage), Ok(text)) = (local_storage(), serde_json::to_string(list)) {
        let _ = storage.set_item(LIST_KEY, &text);
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Stores `blob` under `file.key` and lists it. The error is a sentence for the banner: a full
/// quota says so.
pub async fn keep(file: KeptFile, blob: Blob) -> Result<(), String> {
    let written = match opfs_folder().await {
        Some(folder) => opfs_write(&folder, &file.key, &blob).await,
        None => idb_write(&file.key, &blob).await,
    };
    if let Err(e) = written {
        forget_bytes(&file.key).await;
        return Err(storage_message(&e));
    }
    let mut list = kept();
    list.retain(|f| f.key != file.key);
    list.push(file);
    set_kept(&list);
    Ok(())
}

/// The blob of a kept file.
pub async fn read(key: &str) -> Result<Blob, String> {
    let blob = match opfs_folder().await {
        Some(folder) => opfs_read(&folder, key).await,
        None => idb_read(key).await,
    };
    blob.map_err(|e| storage_message(&e))
}

/// Removes one kept file (a key that is not kept is not an error).
pub async fn forget(key: &str) {
    let mut list = kept();
    list.retain(|f| f.key != key);
    set_kept(&list);
    forget_bytes(key).await;
}

/// Removes every kept file.
pub async fn forget_all() {
    set_kept(&[]);
    match opfs_folder().await {
        Some(_) => {
            if let Some(root) = opfs_root().await {
                let options = web_sys::FileSystemRemoveOptions::new();
                options.set_recursive(true);
                let _ = JsFuture::from(root.remove_entry_with_options(FOLDER, &options)).await;
            }
        }
        None => {
            let _ = idb_clear().await;
        }
    }
}

async fn forget_bytes(key: &str) {
    match opfs_folder().await {
        Some(folder) => {
            let _ = JsFuture::from(folder.remove_entry(key)).await;
        }
        None => {
            let _ = idb_delete(key).await;
        }
    }
}

/// The message for a failed storage call: what failed, and for a full quota what to do.
fn storage_message(error: &JsValue) -> String {
    match error.dyn_ref::<DomException>() {
        Some(e) if e.name() == "QuotaExceededError" => format!(
            "not kept for your next visit: the browser's storage for this page is full ({}). \
             It is analysed as usual; remove kept files (Clear all) to make room",
            e.message()
        ),
        Some(e) => format!(
            "not kept for your next visit: {} ({})",
            e.message(),
            e.name()
        ),
        None => format!("not kept for your next visit: {error:?}"),
    }
}

// The Origin Private File System.

async fn opfs_root() -> Option<FileSystemDirectoryHandle> {
    let navigator = web_sys::window()?.navigator();
    // Browsers without OPFS have no `getDirectory` (calling it would throw, not reject).
    let storage = navigator.storage();
    let has = js_sys::Reflect::has(&storage, &JsValue::from_str("getDirectory")).unwrap_or(false);
    if !has {
        return None;
    }
    JsFuture::from(storage.get_directory())
        .await
        .ok()?
        .dyn_into()
        .ok()
}

async fn opfs_folder() -> Option<FileSystemDirectoryHandle> {
    let root = opfs_root().await?;
    let options = FileSystemGetDirectoryOptions::new();
    options.set_create(true);
    JsFuture::from(root.get_directory_handle_with_options(FOLDER, &options))
        .await
        .ok()?
        .dyn_into()
        .ok()
}

async fn opfs_write(
    folder: &FileSystemDirectoryHandle,
    key: &str,
    blob: &Blob,
) -> Result<(), JsValue> {
    let options = FileSystemGetFileOptions::new();
    options.set_create(true);
    let handle: FileSystemFileHandle =
        JsFuture::from(folder.get_file_handle_with_options(key, &options))
            .await?
            .dyn_into()?;
    let stream: FileSystemWritableFileStream =
        JsFuture::from(handle.create_writable()).await?.dyn_into()?;
    // Written from the Blob: the browser copies it from disk in pieces.
    if let Err(e) = JsFuture::from(stream.write_with_blob(blob)?).await {
        let _ = JsFuture::from(stream.abort()).await;
        return Err(e);
    }
    JsFuture::from(stream.close()).await?;
    Ok(())
}

async fn opfs_read(folder: &FileSystemDirectoryHandle, key: &str) -> Result<Blob, JsValue> {
    let handle: FileSystemFileHandle = JsFuture::from(folder.get_file_handle(key))
        .await?
        .dyn_into()?;
    JsFuture::from(handle.get_file()).await?.dyn_into()
}

// IndexedDB, where OPFS is missing: one object store of blobs by key.

async fn idb_open() -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| JsValue::from_str("this browser has neither OPFS nor IndexedDB"))?;
    let request: IdbOpenDbRequest = factory.open_with_u32(FOLDER, 1)?;
    let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let db = event
            .target()
            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db {
            let _ = db.create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = settle(&request).await;
    request.set_onupgradeneeded(None);
    drop(upgrade);
    db?.dyn_into()
}

async fn idb_store(mode: IdbTransactionMode) -> Result<IdbObjectStore, JsValue> {
    let db = idb_open().await?;
    db.transaction_with_str_and_mode(STORE, mode)?
        .object_store(STORE)
}

async fn idb_write(key: &str, blob: &Blob) -> Result<(), JsValue> {
    let store = idb_store(IdbTransactionMode::Readwrite).await?;
    settle(&store.put_with_key(blob, &JsValue::from_str(key))?)
        .await
        .map(drop)
}

async fn idb_read(key: &str) -> Result<Blob, JsValue> {
    let store = idb_store(IdbTransactionMode::Readonly).await?;
    settle(&store.get(&JsValue::from_str(key))?)
        .await?
        .dyn_into()
        .map_err(|_| JsValue::from_str("the kept file is missing"))
}

async fn idb_delete(key: &str) -> Result<(), JsValue> {
    let store = idb_store(IdbTransactionMode::Readwrite).await?;
    settle(&store.delete(&JsValue::from_str(key))?)
        .await
        .map(drop)
}

async fn idb_clear() -> Result<(), JsValue> {
    let store = idb_store(IdbTransactionMode::Readwrite).await?;
    settle(&store.clear()?).await.map(drop)
}

/// Waits for an IndexedDB request: its result, or its error.
async fn settle(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = request.clone();
        let on_success = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &ok.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = request.clone();
        let on_error = Closure::once_into_js(move || {
            let error = failed
                .error()
                .ok()
                .flatten()
                .map(JsValue::from)
                .unwrap_or_else(|| JsValue::from_str("IndexedDB request failed"));
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await
}

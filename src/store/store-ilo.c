/* PLACEHOLDER, replaced by its owner. */
typedef int placeholder_store_ilo;

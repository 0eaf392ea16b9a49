/* PLACEHOLDER, replaced by its owner. */
typedef int placeholder_table;

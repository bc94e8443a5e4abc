"""Deploy: the Helm adapter (binary or embedded SDK) behind one protocol."""

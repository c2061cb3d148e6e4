#include <iostream>
#include <vector>
using namespace std;
int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n, q;
    cin >> n >> q;
    vector<long long> a(n);
    for (auto &x : a) cin >> x;
    for (int i = 0; i < q; i++) {
        long long x;
        cin >> x;
        int lo = 0, hi = n;  // first index with a[idx] >= x
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (a[mid] >= x) hi = mid;
            else lo = mid + 1;
        }
        int ans = (lo < n && a[lo] == x) ? lo + 1 : -1;
        cout << ans << (i + 1 < q ? " " : "\n");
    }
    return 0;
}

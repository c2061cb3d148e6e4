#include <iostream>
#include <algorithm>
#include <climits>
using namespace std;
int main() {
    int n;
    cin >> n;
    long long mx = LLONG_MIN, mn = LLONG_MAX;
    for (int i = 0; i < n; i++) {
        long long x;
        cin >> x;
        mx = max(mx, x);
        mn = min(mn, x);
    }
    cout << mx << " " << mn << "\n";
    return 0;
}

#include <iostream>
using namespace std;
int main() {
    int n;
    long long x;
    cin >> n >> x;
    int ans = -1;
    for (int i = 1; i <= n; i++) {
        long long v;
        cin >> v;
        if (v == x && ans == -1) ans = i;
    }
    cout << ans << "\n";
    return 0;
}

// Deliberately WRONG: starts the best sum at 0 (allows the empty segment), so all-negative input prints 0.
#include <iostream>
#include <algorithm>
using namespace std;
int main() {
    int n;
    cin >> n;
    long long best = 0, cur = 0;
    for (int i = 0; i < n; i++) {
        long long x;
        cin >> x;
        cur = max(cur + x, 0LL);
        best = max(best, cur);
    }
    cout << best << "\n";
    return 0;
}
